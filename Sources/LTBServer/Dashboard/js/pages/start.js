// Starts a benchmark from a suite pasted or uploaded as YAML; the server validates it and its
// located errors are shown as they come.

import { gql } from '../api.js';
import { h, fill, field, problem, titled } from '../ui.js';

const EXAMPLE = `name: my-run
# Dataset paths are read on the server, relative to its configuration file.
datasets: [examples/datasets/capitals.jsonl]
targets:
  - provider: llamacpp
    model: smollm2-135m-instruct
    parameters: { temperature: 0, max_tokens: 48 }
concurrency: 2
`;

export async function render(main) {
  const suite = h('textarea', { name: 'suite', rows: 18, spellcheck: 'false', class: 'code' });
  suite.value = localStorage.getItem('ltb.suite') || EXAMPLE;
  const upload = h('input', { type: 'file', accept: '.yaml,.yml,.json,text/yaml' });
  upload.addEventListener('change', async () => { if (upload.files[0]) suite.value = await upload.files[0].text(); });
  const distributed = h('input', { type: 'checkbox', name: 'distributed' });
  const message = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'card' },
    field('Suite (YAML)', suite, 'The same suite file ltb bench reads. Providers must be configured on the server.'),
    field('Or upload a suite file', upload),
    h('div', { class: 'field inline' }, distributed, h('label', { for: 'distributed-run' }, 'Run on distributed workers')),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Start benchmark'));
  distributed.id = 'distributed-run';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(message, h('p', { class: 'muted' }, 'Starting…'));
    localStorage.setItem('ltb.suite', suite.value);
    try {
      const data = await gql('mutation($input: CreateBenchmarkInput!) { createBenchmark(input: $input) { id } }',
        { input: { suite: suite.value, distributed: distributed.checked } });
      location.hash = `#/sessions/${data.createBenchmark.id}`;
    } catch (error) {
      fill(message, problem(error));
    }
  });
  fill(main, titled('New run'), form);
}
