import Foundation
import LTBCore
import LTBEngine
import LTBEvaluation
import LTBStorage

/// Core values to the API's types, in one place.
enum APIMapping {
  static func session(_ session: BenchmarkSession) -> Session {
    let suite = (try? JSONEncoder().encode(session.suite)).flatMap {
      try? JSONValue.parse(String(decoding: $0, as: UTF8.self))
    }
    return Session(
      id: session.id, name: session.name, description: session.description,
      status: status(session.status),
      stopReason: session.stopReason,
      totalTasks: session.totalTasks, tags: session.tags, createdAt: session.createdAt,
      startedAt: session.startedAt,
      completedAt: session.completedAt, ownerId: session.ownerID, suite: suite ?? .null)
  }

  static func user(_ user: UserRecord) -> User {
    User(
      id: user.id, username: user.username, email: user.email, role: role(user.role),
      permissions: LTBCore.Permission.allCases.filter(user.role.permissions.contains).map { permission($0) },
      active: user.isActive, createdAt: user.createdAt, lastLoginAt: user.lastLoginAt)
  }

  // Enum conversions are exhaustive switches: a case added on either side fails the build
  // instead of falling back to a default.

  static func role(_ role: LTBCore.Role) -> Role {
    switch role {
    case .admin: .admin
    case .user: .user
    case .viewer: .viewer
    }
  }

  static func role(_ role: Role) -> LTBCore.Role {
    switch role {
    case .admin: .admin
    case .user: .user
    case .viewer: .viewer
    }
  }

  static func status(_ status: LTBCore.SessionStatus) -> SessionStatus {
    switch status {
    case .pending: .pending
    case .running: .running
    case .completed: .completed
    case .failed: .failed
    case .cancelled: .cancelled
    }
  }

  static func status(_ status: SessionStatus) -> LTBCore.SessionStatus {
    switch status {
    case .pending: .pending
    case .running: .running
    case .completed: .completed
    case .failed: .failed
    case .cancelled: .cancelled
    }
  }

  static func status(_ status: ResultStatus) -> LTBCore.ResultStatus {
    switch status {
    case .success: .success
    case .failure: .failure
    case .timeout: .timeout
    case .skipped: .skipped
    }
  }

  static func verdict(_ verdict: LTBCore.CaseVerdict) -> CaseVerdict {
    switch verdict {
    case .pass: .pass
    case .fail: .fail
    case .error: .error
    }
  }

  static func permission(_ permission: LTBCore.Permission) -> Permission {
    switch permission {
    case .runBenchmark: .runBenchmark
    case .viewResults: .viewResults
    case .manageProviders: .manageProviders
    case .managePlugins: .managePlugins
    case .manageUsers: .manageUsers
    case .adminAccess: .adminAccess
    }
  }

  static func permission(_ permission: Permission) -> LTBCore.Permission {
    switch permission {
    case .runBenchmark: .runBenchmark
    case .viewResults: .viewResults
    case .manageProviders: .manageProviders
    case .managePlugins: .managePlugins
    case .manageUsers: .manageUsers
    case .adminAccess: .adminAccess
    }
  }

  static func apiKey(_ key: APIKeyRecord) -> ApiKey {
    ApiKey(
      id: key.id, userId: key.userID, name: key.name, role: role(key.role),
      scopes: key.scopes.map {
        $0.sorted { $0.rawValue < $1.rawValue }.map(permission)
      },
      createdAt: key.createdAt, expiresAt: key.expiresAt, lastUsedAt: key.lastUsedAt, revokedAt: key.revokedAt
    )
  }

  static func auditEntry(_ entry: LTBStorage.AuditEntry) -> AuditEntry {
    AuditEntry(
      id: entry.id, userId: entry.userID, action: entry.action, resourceType: entry.resourceType,
      resourceId: entry.resourceID, details: .object(entry.details), ipAddress: entry.ipAddress,
      userAgent: entry.userAgent, createdAt: entry.createdAt)
  }

  static func result(_ result: BenchmarkResult) -> Result { self.result(ResultRow(result)) }

  /// The session id of a row read without its labels: the all-zero UUID, which no session has.
  static let notRead = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

  /// A listed result. A group the row was read without holds only fields the document does not
  /// select (the resolver reads a group whenever the document asks for one of its fields,
  /// ``ResultListing``); its non-null fields get their type's empty value, which no answer writes.
  static func result(_ row: ResultRow) -> Result {
    Result(
      id: row.id, sessionId: row.labels?.sessionID ?? Self.notRead, testId: row.testID,
      dataset: row.labels?.dataset ?? "", providerName: row.provider, model: row.model,
      status: status(row.status), errorCode: row.labels?.errorCode, error: row.text?.error,
      prompt: row.text?.prompt ?? "", response: row.text?.response, finishReason: row.labels?.finishReason,
      createdAt: row.createdAt, ttftMs: row.timeToFirstTokenMs, e2eMs: row.endToEndMs,
      tpotMs: row.timePerOutputTokenMs, inputTokens: row.usage?.inputTokens,
      outputTokens: row.usage?.outputTokens, costUsd: row.costUSD, costBreakdown: row.cost.map(costBreakdown),
      cacheHit: row.labels?.cacheHit ?? false,
      attempts: row.labels?.attempts ?? 0, tags: row.labels?.tags ?? [], category: row.labels?.category,
      traceId: row.labels?.traceID, spanId: row.labels?.spanID,
      mediaInputs: (row.media ?? []).map(mediaInput),
      scores: .object(row.scores.mapValues(JSONValue.double)))
  }

  /// A request's cost in its parts.
  static func costBreakdown(_ cost: Cost) -> CostBreakdown {
    CostBreakdown(
      inputUsd: cost.input, cachedInputUsd: cost.cachedInput, outputUsd: cost.output, imageUsd: cost.image,
      audioUsd: cost.audio, totalUsd: cost.total, imageTokens: cost.media?.imageTokens,
      audioTokens: cost.media?.audioTokens, audioSeconds: cost.media?.audioSeconds,
      mediaEstimated: cost.media?.estimated)
  }

  /// What a request carried of one image or piece of audio.
  static func mediaInput(_ input: LTBCore.MediaInput) -> MediaInput {
    MediaInput(
      kind: input.kind == .image ? .image : .audio, source: input.source.rawValue, location: input.location,
      format: input.format, sizeBytes: input.sizeBytes, sha256: input.sha256, width: input.width,
      height: input.height, durationSeconds: input.durationSeconds, sampleRate: input.sampleRate,
      channels: input.channels,
      downscaledFrom: input.downscaledFrom.map {
        MediaOriginal(format: $0.format, width: $0.width, height: $0.height, sizeBytes: $0.sizeBytes)
      })
  }

  /// A result's status (a `switch`: every page maps fifty).
  static func status(_ status: LTBCore.ResultStatus) -> ResultStatus {
    switch status {
    case .success: .success
    case .failure: .failure
    case .timeout: .timeout
    case .skipped: .skipped
    }
  }

  /// A verdict's state (a `switch`: every page maps a hundred).
  static func state(_ state: LTBCore.EvaluationState) -> EvaluationState {
    switch state {
    case .scored: .scored
    case .error: .error
    case .unavailable: .unavailable
    }
  }

  static func latency(_ distribution: Distribution?) -> LatencyStats? {
    distribution.map {
      LatencyStats(
        count: $0.count, mean: $0.mean, p50: $0.p50, p90: $0.p90, p95: $0.p95, p99: $0.p99, max: $0.max)
    }
  }

  /// A session's live figures as the API's `LiveStats`.
  static func live(_ figures: LiveStatistics) -> LiveStats {
    LiveStats(
      sessionId: figures.sessionID, finished: figures.finished, status: figures.status.map { status($0) },
      completed: figures.completed, failed: figures.failed, total: figures.total,
      elapsedSeconds: figures.elapsedSeconds, etaSeconds: figures.etaSeconds,
      requestsPerSecond: figures.requestsPerSecond, outputTokensPerSecond: figures.outputTokensPerSecond,
      costUsd: figures.costUSD,
      errors: figures.errorsByCode.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
        ErrorCount(code: $0.key, count: $0.value)
      },
      targets: figures.targets.map { target in
        LiveTarget(
          provider: target.provider, model: target.model, requests: target.requests,
          succeeded: target.succeeded, timeToFirstToken: latency(target.timeToFirstToken),
          endToEnd: latency(target.endToEnd), timePerOutputToken: latency(target.timePerOutputToken),
          scheduleLag: latency(target.scheduleLag))
      },
      recent: figures.recent.map {
        ThroughputPoint(at: $0.at, requests: $0.requests, outputTokens: $0.outputTokens, errors: $0.errors)
      },
      at: figures.at)
  }

  static func target(_ group: BenchmarkSummary.GroupSummary) -> TargetSummary {
    TargetSummary(
      provider: group.provider, model: group.model, requests: group.requests, succeeded: group.succeeded,
      timeToFirstToken: latency(group.timeToFirstToken), endToEnd: latency(group.endToEnd),
      interTokenLatency: latency(group.interTokenLatency), requestThroughput: group.requestThroughput,
      outputTokenThroughput: group.outputTokenThroughput, inputTokens: group.inputTokens,
      outputTokens: group.outputTokens, costUsd: group.costUSD ?? 0)
  }

  static func evaluation(_ record: EvaluationRecord) -> Evaluation { evaluation(Verdict(record)) }

  /// A listed verdict (its detail, when read, is what the document asked for; see
  /// ``result(_:)-(ResultRow)``).
  static func evaluation(_ verdict: Verdict) -> Evaluation {
    Evaluation(
      metric: verdict.metric, state: state(verdict.state), score: verdict.score, value: verdict.detail?.value,
      passed: verdict.passed, threshold: verdict.detail?.threshold,
      explanation: verdict.detail?.explanation ?? "",
      judgeModel: verdict.detail?.judgeModel, judgeCostUsd: verdict.detail?.judgeCostUSD,
      evaluator: verdict.detail?.evaluator ?? "")
  }

  static func sessionEvaluation(_ evaluation: LTBEvaluation.SessionEvaluation) -> SessionEvaluation {
    SessionEvaluation(
      targets: evaluation.groups.map { group in
        TargetEvaluation(
          provider: group.provider, model: group.model, evaluated: group.evaluated, pass: group.pass,
          fail: group.fail,
          error: group.error,
          metrics: group.metrics.sorted { $0.key < $1.key }.map { name, summary in
            MetricSummary(
              metric: name, count: summary.count, mean: summary.mean, standardError: summary.standardError,
              low: summary.low, high: summary.high, passRate: summary.passRate, errors: summary.errors)
          },
          classifications: group.classifications.sorted { $0.key < $1.key }.map { name, summary in
            ClassificationSummary(
              metric: name, labels: summary.labels, matrix: summary.matrix, count: summary.count,
              accuracy: summary.accuracy, macroF1: summary.macroF1)
          }, modelCostUsd: group.modelCost, imageCostUsd: group.imageCost, audioCostUsd: group.audioCost,
          judgeCostUsd: group.judgeCost)
      }, cacheHits: evaluation.cache.hits, cacheMisses: evaluation.cache.misses, judge: evaluation.run?.judge,
      embedder: evaluation.run?.embedder, gradedAt: evaluation.run?.finishedAt)
  }

  static func health(_ status: HealthStatus) -> ProviderHealth {
    ProviderHealth(healthy: status.healthy, latencyMs: status.latencyMilliseconds, detail: status.detail)
  }

  static func comparison(_ comparison: SessionComparison) -> Comparison {
    Comparison(
      labelA: comparison.labelA, labelB: comparison.labelB, pairedCases: comparison.pairedCases,
      metrics: comparison.metrics.map { metric in
        MetricComparison(
          name: metric.name, higherIsBetter: metric.higherIsBetter, pairs: metric.pairs, meanA: metric.meanA,
          meanB: metric.meanB, difference: metric.difference, low: metric.low, high: metric.high,
          wilcoxonP: metric.wilcoxonP, mcnemarP: metric.mcnemarP, effectSize: metric.effectSize,
          verdict: metric.verdict)
      }, flaky: comparison.flaky)
  }

  static func provider(_ description: ProviderService.Description) -> Provider {
    let provider = description.provider
    let capabilities = provider.capabilities
    let source: ProviderSource =
      switch description.source {
      case .configuration: .configuration
      case .api: .api
      }
    return Provider(
      name: provider.name, kind: provider.kind.rawValue, source: source,
      baseUrl: description.settings.baseURL,
      defaultModel: description.settings.defaultModel, apiKeySource: description.settings.apiKeyOrigin,
      capabilities: ProviderCapabilities(
        streaming: capabilities.streaming, vision: capabilities.vision, audio: capabilities.audio,
        functionCalling: capabilities.functionCalling, embeddings: capabilities.embeddings,
        logprobs: capabilities.logprobs, jsonMode: capabilities.jsonMode,
        tokenCounting: capabilities.tokenCounting,
        maxContextLength: capabilities.maxContextLength),
      models: provider.supportedModels().map { model in
        Model(
          id: model.id, contextLength: model.contextLength,
          inputPricePerMillion: model.pricing.inputPerMillion,
          outputPricePerMillion: model.pricing.outputPerMillion,
          cachedInputPricePerMillion: model.pricing.cachedInputPerMillion,
          imageInputPricePerMillion: model.pricing.imageInputPerMillion,
          audioInputPricePerMillion: model.pricing.audioInputPerMillion,
          audioPricePerMinute: model.pricing.audioPerMinute,
          imageTokenRule: (model.pricing.imageTokens ?? .vendorDefault(model.kind))?.catalogText)
      })
  }
}
