// One case: what was asked and answered, every verdict with its reasoning, timings and cost.

import { gql } from '../api.js';
import { h, fill, titled, table, badge, ms, usd, num, when, problem } from '../ui.js';

export async function render(main, [id]) {
  const data = await gql(`query($id: UUID!) { result(id: $id) { id sessionId testId dataset providerName model status errorCode error prompt response finishReason createdAt
    ttftMs e2eMs tpotMs inputTokens outputTokens costUsd cacheHit attempts tags category traceId spanId
    evaluations { metric state score value passed threshold explanation judgeModel judgeCostUsd evaluator } } }`, { id });
  const result = data.result;
  if (!result) { fill(main, h('h1', {}, 'No such result'), problem({ message: `There is no result ${id} you can see.`, fix: 'open it from a session\'s results' })); return; }
  fill(main,
    titled(`Case ${result.testId}`, h('a', { class: 'button', href: `#/sessions/${result.sessionId}/results` }, 'All results')),
    h('p', {}, badge(result.status), ` ${result.providerName}/${result.model} · ${result.dataset} · ${when(result.createdAt)}`),
    result.error ? h('div', { class: 'problem', role: 'note' }, h('strong', {}, result.errorCode || 'error'), h('div', {}, result.error)) : null,
    h('h2', {}, 'Prompt'), h('pre', { class: 'text', 'data-field': 'prompt' }, result.prompt),
    h('h2', {}, 'Response'), h('pre', { class: 'text', 'data-field': 'response' }, result.response ?? '(no answer)'),
    h('h2', {}, 'Verdicts'),
    table('Verdicts', ['Metric', 'State', 'Score', 'Passed', 'Threshold', 'Reasoning', 'Judge', 'Evaluator'],
      result.evaluations.map((e) => [e.metric, e.state.toLowerCase(), num(e.score, 3), e.passed === null ? '–' : (e.passed ? 'pass' : 'fail'),
        num(e.threshold, 2), h('span', { class: 'reason' }, e.explanation || '–'), e.judgeModel ? `${e.judgeModel} (${usd(e.judgeCostUsd)})` : '–', e.evaluator || '–']),
      { empty: 'Not graded.' }),
    h('h2', {}, 'Timings and cost'),
    h('dl', { class: 'figures' },
      pair('TTFT', ms(result.ttftMs)), pair('End to end', ms(result.e2eMs)), pair('Per output token', ms(result.tpotMs)),
      pair('Input tokens', result.inputTokens ?? '–'), pair('Output tokens', result.outputTokens ?? '–'), pair('Cost', usd(result.costUsd)),
      pair('Finish reason', result.finishReason || '–'), pair('Attempts', result.attempts), pair('Cache hit', result.cacheHit ? 'yes' : 'no'),
      pair('Tags', result.tags.join(', ') || '–'), pair('Trace', result.traceId ? `${result.traceId} / ${result.spanId}` : 'not traced')));
}

function pair(label, value) { return h('div', {}, h('dt', {}, label), h('dd', {}, String(value))); }
