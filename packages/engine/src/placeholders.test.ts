import { describe, expect, it } from 'vitest';
import { findPlaceholderUrl, placeholderWarnings } from './placeholders.ts';
import { WORKFLOW_FORMAT, type WorkflowDocument } from './workflow.ts';

describe('placeholder addresses', () => {
  it.each([
    ['https://hooks.example.com/services/T000', 'https://hooks.example.com/services/T000'],
    ['http://example.org', 'http://example.org'],
    ['https://crm.example.net:8443/api?x=1', 'https://crm.example.net:8443/api?x=1'],
    ['https://status.acme.example/health', 'https://status.acme.example/health'],
    ['https://crm.example.com/orders/{{ trigger.body.id }}', 'https://crm.example.com/orders/'],
    ['POST to https://example.com then stop', 'https://example.com'],
  ])('finds %s', (text, url) => {
    expect(findPlaceholderUrl(text)).toBe(url);
  });

  it.each([
    'https://hooks.slack.com/services/T0/B0/x',
    'https://example.community/',
    'https://notexample.com/',
    'https://example.com.evil.io/',
    'ada@example.com',
    '{{ trigger.body.url }}',
  ])('leaves %s alone', (text) => {
    expect(findPlaceholderUrl(text)).toBeNull();
  });

  it('reports each value on its field path', () => {
    const document: WorkflowDocument = {
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [
        {
          id: 'h',
          key: 'http',
          type: 'http-request',
          name: '',
          position: { x: 0, y: 0 },
          config: {
            url: 'https://hooks.example.com/in',
            headers: [{ name: 'Referer', value: 'https://www.example.org/' }],
            body: { email: 'ada@example.com' },
          },
        },
      ],
      edges: [],
      settings: {},
    };
    expect(placeholderWarnings(document)).toEqual([
      {
        nodeId: 'h',
        field: 'url',
        message: 'https://hooks.example.com/in is a placeholder address: replace it with your own',
      },
      {
        nodeId: 'h',
        field: 'headers[0].value',
        message: 'https://www.example.org/ is a placeholder address: replace it with your own',
      },
    ]);
  });
});
