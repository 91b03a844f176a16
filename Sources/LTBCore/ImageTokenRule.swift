/// How a vendor counts one image in input tokens, from its size: the formula the vendor
/// publishes, used to split a bill between text and images when the vendor reports only the
/// total, and to price images when it reports nothing.
public enum ImageTokenRule: Sendable, Hashable, Codable {
  /// OpenAI's tile formula: `low` detail costs `base`; otherwise the image is fitted inside
  /// 2048×2048, shrunk until its short side is at most 768 px, and each 512 px tile covering it
  /// costs `tile`, plus `base`.
  case tiles(base: Int, tile: Int)
  /// OpenAI's patch formula: the 32 px patches covering the image (at most 1536, the image
  /// shrunk to fit), times `multiplier`.
  case patches(multiplier: Double)
  /// Anthropic's: the image shrunk to fit 1568 px on its long edge and 1,200,000 pixels, then
  /// width × height / `pixelsPerToken`.
  case pixels(pixelsPerToken: Int)
  /// Gemini's: `perTile` for an image whose sides are both at most 384 px, else `perTile` for
  /// each 768 px tile covering it.
  case geminiTiles(perTile: Int)

  /// The rule a protocol's vendor publishes for the models that name none; `nil` where the
  /// vendor publishes none.
  public static func vendorDefault(_ kind: ProviderKind) -> ImageTokenRule? {
    switch kind {
    case .openai: .tiles(base: 85, tile: 170)
    case .anthropic: .pixels(pixelsPerToken: 750)
    case .gemini: .geminiTiles(perTile: 258)
    default: nil
    }
  }

  /// Reads a rule as the model catalogue writes it: `tiles:BASE:TILE`, `patches:MULTIPLIER`,
  /// `pixels:PIXELS-PER-TOKEN` or `gemini-tiles:PER-TILE`; `nil` for anything else.
  public init?(catalogText: String) {
    let fields = catalogText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch (fields.first, fields.count) {
    case ("tiles", 3):
      guard let base = Int(fields[1]), let tile = Int(fields[2]), base >= 0, tile > 0 else { return nil }
      self = .tiles(base: base, tile: tile)
    case ("patches", 2):
      guard let multiplier = Double(fields[1]), multiplier > 0, multiplier.isFinite else { return nil }
      self = .patches(multiplier: multiplier)
    case ("pixels", 2):
      guard let perToken = Int(fields[1]), perToken > 0 else { return nil }
      self = .pixels(pixelsPerToken: perToken)
    case ("gemini-tiles", 2):
      guard let perTile = Int(fields[1]), perTile > 0 else { return nil }
      self = .geminiTiles(perTile: perTile)
    default: return nil
    }
  }

  /// The rule as the model catalogue writes it.
  public var catalogText: String {
    switch self {
    case .tiles(let base, let tile): "tiles:\(base):\(tile)"
    case .patches(let multiplier): "patches:\(NumberText.decimal(multiplier, integralFraction: false))"
    case .pixels(let perToken): "pixels:\(perToken)"
    case .geminiTiles(let perTile): "gemini-tiles:\(perTile)"
    }
  }

  /// The tokens one `width`×`height` image costs at `detail` (`low`, `high`, `auto` or `nil`).
  public func tokens(width: Int, height: Int, detail: String? = nil) -> Int {
    guard width > 0, height > 0 else { return 0 }
    let (w, h) = (Double(width), Double(height))
    switch self {
    case .tiles(let base, let tile):
      if detail == "low" { return base }
      var scale = min(1, 2048 / max(w, h))
      scale *= min(1, 768 / (min(w, h) * scale))
      let tilesWide = Int((w * scale / 512).rounded(.up))
      let tilesHigh = Int((h * scale / 512).rounded(.up))
      return base + tile * tilesWide * tilesHigh
    case .patches(let multiplier):
      let cap = 1536.0
      var patches = (w / 32).rounded(.up) * (h / 32).rounded(.up)
      if patches > cap {
        var shrink = (32 * 32 * cap / (w * h)).squareRoot()
        let (across, down) = (w * shrink / 32, h * shrink / 32)
        shrink *= min(across.rounded(.down) / across, down.rounded(.down) / down)
        let (shrunkWidth, shrunkHeight) = ((w * shrink).rounded(.down), (h * shrink).rounded(.down))
        patches = min(cap, (shrunkWidth / 32).rounded(.up) * (shrunkHeight / 32).rounded(.up))
      }
      return Int((patches * multiplier).rounded(.down))
    case .pixels(let pixelsPerToken):
      let scale = min(1, 1568 / max(w, h), (1_200_000 / (w * h)).squareRoot())
      let pixels = (w * scale).rounded(.down) * (h * scale).rounded(.down)
      return Int((pixels / Double(pixelsPerToken)).rounded(.up))
    case .geminiTiles(let perTile):
      if width <= 384, height <= 384 { return perTile }
      return perTile * Int((w / 768).rounded(.up)) * Int((h / 768).rounded(.up))
    }
  }
}
