import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileConfig } from './config.ts';
import {
  CredentialError,
  type CredentialResolver,
  credentialIdsOf,
  credentialRef,
  credentialRefsIn,
  credentialTypes,
  isCredentialRef,
  resolveCredentialRefs,
  resolveCredentialValue,
} from './credentials.ts';
import {
  createNodeRegistry,
  defineNode,
  formFieldValue,
  maskSecrets,
  type NodeServices,
  SECRET_MASK,
  setFormFieldValue,
} from './define-node.ts';
import { compileWorkflow, executeWorkflow } from './execute.ts';
import { inlineSecretWarnings, validateWorkflow } from './validate.ts';
import { parseWorkflowDocument, WORKFLOW_FORMAT } from './workflow.ts';

const token = 'tok_credential/Sup3r+secret';

describe('credential references', () => {
  it('are objects with exactly one $credential key', () => {
    expect(isCredentialRef({ $credential: 'cred_1' })).toBe(true);
    expect(isCredentialRef({ $credential: '' })).toBe(false);
    expect(isCredentialRef({ $credential: 'cred_1', other: 1 })).toBe(false);
    expect(isCredentialRef([{ $credential: 'cred_1' }])).toBe(false);
    expect(isCredentialRef('cred_1')).toBe(false);
  });

  it('are found and replaced anywhere in a config', () => {
    const config = {
      auth: { type: 'github', secrets: [credentialRef('a'), 'inline'] },
      header: credentialRef('b'),
    };
    expect(credentialRefsIn(config)).toEqual([
      { path: ['auth', 'secrets', 0], id: 'a' },
      { path: ['header'], id: 'b' },
    ]);
    expect(resolveCredentialRefs(config, (id) => `value of ${id}`)).toEqual({
      auth: { type: 'github', secrets: ['value of a', 'inline'] },
      header: 'value of b',
    });
    expect(
      credentialIdsOf({ nodes: [{ config }, { config: { x: credentialRef('a') } }, {}] }),
    ).toEqual(['a', 'b']);
  });

  it('resolve by their type: an auth object for HTTP types, the secret text for the others', () => {
    const meta = { id: 'cred_1', name: 'Shop' };
    expect(resolveCredentialValue({ ...meta, type: 'bearer' }, { token })).toEqual({
      ...meta,
      type: 'bearer',
      value: { type: 'bearer', token },
      secrets: [token],
    });
    expect(
      resolveCredentialValue({ ...meta, type: 'basic' }, { username: 'ada', password: token })
        .value,
    ).toEqual({ type: 'basic', username: 'ada', password: token });
    const header = resolveCredentialValue(
      { ...meta, type: 'http-header' },
      { name: 'X-Api-Key', value: token },
    );
    expect(header.value).toEqual({ type: 'header', name: 'X-Api-Key', value: token });
    expect(header.secrets).toEqual([token]);
    expect(resolveCredentialValue({ ...meta, type: 'hmac-secret' }, { secret: token }).value).toBe(
      token,
    );
    expect(() => resolveCredentialValue({ ...meta, type: 'bearer' }, { secret: token })).toThrow(
      /credential "Shop" \(cred_1\) holds a value that does not fit its type bearer/,
    );
    for (const type of credentialTypes) {
      expect(type.fields.some((field) => field.secret)).toBe(true);
      for (const field of type.fields) expect(Object.keys(type.schema.shape)).toContain(field.name);
    }
  });

  it('stay in masked configs and exports: they are ids, not secrets', () => {
    expect(maskSecrets({ auth: credentialRef('a') }, ['auth.password', 'auth.token'])).toEqual({
      auth: credentialRef('a'),
    });
    expect(
      maskSecrets({ auth: { type: 'github', secrets: [credentialRef('a'), 'inline'] } }, [
        'auth.secrets',
      ]),
    ).toEqual({ auth: { type: 'github', secrets: [credentialRef('a'), SECRET_MASK] } });
    expect(maskSecrets({ auth: { secrets: ['a', 'b'] } }, ['auth.secrets'])).toEqual({
      auth: { secrets: SECRET_MASK },
    });
  });

  it('are resolved in literal fields too, where templates are not', async () => {
    const compiled = compileConfig(
      { auth: { secrets: [credentialRef('a'), '{{ not a template }}'] }, url: '{{ 1 + 1 }}' },
      ['auth'],
    );
    expect(compiled.isStatic).toBe(false);
    expect(compiled.credentials).toEqual([
      { field: 'auth.secrets[0]', path: ['auth', 'secrets', 0], id: 'a' },
    ]);
    expect(await compiled.resolve({}, (id) => `secret ${id}`)).toEqual({
      auth: { secrets: ['secret a', '{{ not a template }}'] },
      url: 2,
    });
    await expect(compiled.resolve({})).rejects.toThrow(/no credential store was given/);
  });
});

describe('form field paths', () => {
  it('read and write a top-level field or a value inside an object field', () => {
    const config = { auth: { type: 'github', secrets: ['x'] }, n: 1 };
    expect(formFieldValue(config, 'n')).toBe(1);
    expect(formFieldValue(config, 'auth.secrets')).toEqual(['x']);
    expect(formFieldValue(config, 'auth.missing.deeper')).toBeUndefined();
    const changed = setFormFieldValue(config, 'auth.secrets', [credentialRef('a')]);
    expect(changed).toEqual({ auth: { type: 'github', secrets: [credentialRef('a')] }, n: 1 });
    expect(config.auth.secrets).toEqual(['x']);
    expect(setFormFieldValue(config, 'n', undefined)).toEqual({ auth: config.auth });
    expect(setFormFieldValue({}, 'auth.secrets', ['y'])).toEqual({ auth: { secrets: ['y'] } });
  });
});

describe('workflows that use credentials', () => {
  const trigger = defineNode({
    type: 'start',
    label: 'Start',
    description: '',
    group: 'trigger',
    icon: 'T',
    trigger: true,
    config: z.object({}),
    defaults: {},
    form: [],
    run: ({ trigger }) => trigger,
  });
  // Sends its auth "somewhere" that echoes it back, the way servers echo requests.
  const call = defineNode({
    type: 'call',
    label: 'Call',
    description: '',
    group: 'action',
    icon: 'C',
    config: z.object({
      auth: z.discriminatedUnion('type', [
        z.object({ type: z.literal('none') }),
        z.object({ type: z.literal('bearer'), token: z.string().min(1) }),
      ]),
    }),
    defaults: { auth: { type: 'none' } },
    form: [
      {
        kind: 'credential',
        field: 'auth',
        label: 'Authentication',
        credentialTypes: ['bearer'],
      },
    ],
    secretFields: ['auth.token'],
    run: ({ config }) => ({
      sent: config.auth.type === 'bearer' ? `Bearer ${config.auth.token}` : null,
      base64: config.auth.type === 'bearer' ? btoa(config.auth.token) : null,
    }),
  });
  // Echoes the previous step's input: it runs before the step that uses the credential.
  const echo = defineNode({
    type: 'echo',
    label: 'Echo',
    description: '',
    group: 'data',
    icon: 'E',
    config: z.object({ text: z.string() }),
    defaults: { text: '' },
    form: [],
    run: ({ config }) => config.text,
  });
  const registry = createNodeRegistry([trigger, call, echo]);
  const document = (auth: unknown, echoText = 'nothing') => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [
        { id: 't', key: 't', type: 'start', name: 't', config: {} },
        { id: 'e', key: 'e', type: 'echo', name: 'e', config: { text: echoText } },
        { id: 'c', key: 'c', type: 'call', name: 'c', config: { auth } },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'e' },
        { id: 'e2', source: 'e', target: 'c' },
      ],
    });
    if (!parsed.ok) throw new Error('bad document');
    return parsed.document;
  };
  const store: Record<string, { name: string; type: string; value: unknown }> = {
    cred_api: { name: 'API token', type: 'bearer', value: { token } },
    cred_hmac: { name: 'Signing', type: 'hmac-secret', value: { secret: 'whsec_abcdefgh' } },
  };
  const credentials: CredentialResolver = (id) => {
    const found = store[id];
    if (!found) throw new CredentialError(`credential ${id} does not exist`);
    return resolveCredentialValue({ id, name: found.name, type: found.type }, found.value);
  };
  const catalog = (id: string) => store[id];
  const services: NodeServices = {
    http: async () => {
      throw new Error('no network');
    },
    now: () => new Date(),
    credentials,
  };
  const run = (auth: unknown, echoText?: string, withServices = services) =>
    executeWorkflow(compileWorkflow(document(auth, echoText), registry), {
      event: {
        method: 'POST',
        path: '/',
        headers: {},
        query: {},
        body: { echo: token },
        receivedAt: '2026-01-01T00:00:00.000Z',
      },
      run: { id: 'r' },
      workflow: { id: 'w', name: 'x', versionId: 'v' },
      services: withServices,
    });

  it('hand the node the resolved value, record the reference and scrub the secret everywhere', async () => {
    const result = await run(credentialRef('cred_api'), '{{ trigger.body.echo }}');
    expect(result.status).toBe('succeeded');
    // The step before the one that uses it already has the credential scrubbed.
    expect(result.steps[1]?.output).toBe(SECRET_MASK);
    expect(result.steps[2]?.output).toEqual({ sent: `Bearer ${SECRET_MASK}`, base64: SECRET_MASK });
    expect(result.steps[2]?.config).toEqual({ auth: credentialRef('cred_api') });
    const recorded = JSON.stringify(result.steps.slice(1));
    expect(recorded).not.toContain(token);
    expect(recorded).not.toContain(btoa(token).slice(0, 12));
  });

  it('fail the step that uses a missing or unreadable credential, naming it and the field', async () => {
    const result = await run(credentialRef('cred_gone'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      nodeId: 'c',
      code: 'CREDENTIAL',
      field: 'auth',
      message: 'auth: credential cred_gone does not exist',
    });
    const unreadable = await run(credentialRef('cred_api'), undefined, {
      ...services,
      credentials: () => {
        throw new CredentialError('credential "API token" (cred_api) cannot be decrypted');
      },
    });
    expect(unreadable.error?.message).toBe(
      'auth: credential "API token" (cred_api) cannot be decrypted',
    );
    // The run got as far as the step that needed it.
    expect(unreadable.steps.map((step) => step.status)).toEqual([
      'succeeded',
      'succeeded',
      'failed',
    ]);
  });

  it('leave no warning where a secret written in the document would get one', () => {
    expect(inlineSecretWarnings(document(credentialRef('cred_api')), registry)).toEqual([]);
    expect(
      inlineSecretWarnings(document({ type: 'bearer', token: '{{ trigger.body.t }}' }), registry),
    ).toEqual([]);
    expect(inlineSecretWarnings(document({ type: 'bearer', token }), registry)).toEqual([
      {
        nodeId: 'c',
        field: 'auth.token',
        message: expect.stringMatching(/^a secret is written in the workflow document/),
      },
    ]);
  });

  it('are checked on save against the stored credentials, schema checks left to the run', () => {
    expect(validateWorkflow(document(credentialRef('cred_api')), registry)).toEqual([]);
    expect(
      validateWorkflow(document(credentialRef('cred_api')), registry, { credentials: catalog }),
    ).toEqual([]);
    expect(
      validateWorkflow(document(credentialRef('cred_gone')), registry, { credentials: catalog }),
    ).toEqual([
      expect.objectContaining({
        nodeId: 'c',
        field: 'auth',
        message: expect.stringMatching(/^credential cred_gone does not exist/),
      }),
    ]);
    expect(
      validateWorkflow(document(credentialRef('cred_hmac')), registry, { credentials: catalog }),
    ).toEqual([
      {
        nodeId: 'c',
        field: 'auth',
        message:
          'credential "Signing" is a Signing secret (HMAC); Authentication takes Bearer token',
      },
    ]);
  });
});
