import { DOMAIN, TASK_LISTS } from '../../../lib/video/definition';
import { ConfigError, createSwfClient, readWorkerConfig } from '../../../lib/worker';

describe('readWorkerConfig', () => {
  test('defaults: Amazon SWF in us-east-1, the video domain and decision task list', () => {
    const config = readWorkerConfig({});
    expect(config).toMatchObject({ endpoint: undefined, region: 'us-east-1', domain: DOMAIN, decisionTaskList: TASK_LISTS.decisions, concurrency: 1 });
    expect(config.identity).toMatch(/^.+:\d+$/);
  });

  test('reads every variable', () => {
    expect(
      readWorkerConfig({
        SWF_ENDPOINT: 'http://127.0.0.1:8080',
        AWS_REGION: 'eu-west-1',
        SWF_DOMAIN: 'dev',
        DECISION_TASK_LIST: 'deciders-2',
        SWF_IDENTITY: 'me',
        DECIDER_CONCURRENCY: '4',
      }),
    ).toEqual({ endpoint: 'http://127.0.0.1:8080', region: 'eu-west-1', domain: 'dev', decisionTaskList: 'deciders-2', identity: 'me', concurrency: 4 });
  });

  test('blank values count as unset; AWS_DEFAULT_REGION is a fallback', () => {
    expect(readWorkerConfig({ SWF_ENDPOINT: ' ', SWF_DOMAIN: '', AWS_DEFAULT_REGION: 'ap-south-1' })).toMatchObject({ endpoint: undefined, domain: DOMAIN, region: 'ap-south-1' });
  });

  test('bad values are refused with the variable named', () => {
    expect(() => readWorkerConfig({ SWF_ENDPOINT: 'localhost:8080' })).toThrow(ConfigError);
    expect(() => readWorkerConfig({ SWF_ENDPOINT: 'not a url' })).toThrow(/SWF_ENDPOINT/);
    expect(() => readWorkerConfig({ DECIDER_CONCURRENCY: '0' })).toThrow(/DECIDER_CONCURRENCY/);
    expect(() => readWorkerConfig({ DECIDER_CONCURRENCY: 'two' })).toThrow(/DECIDER_CONCURRENCY/);
    expect(() => readWorkerConfig({ SWF_IDENTITY: 'x'.repeat(257) })).toThrow(/SWF_IDENTITY/);
  });
});

describe('createSwfClient', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('an endpoint without credentials in the environment gets dummy credentials', async () => {
    const swf = createSwfClient({ endpoint: 'http://127.0.0.1:8080', region: 'eu-west-1' }, {});
    expect(await swf.config.credentials()).toMatchObject({ accessKeyId: 'AKIDLOCAL' });
    expect(await swf.config.region()).toBe('eu-west-1');
    const endpoint = await swf.config.endpoint!();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 8080, protocol: 'http:' });
    swf.destroy();
  });

  test('credentials in the environment are used as they are, endpoint or not', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDFROMENV';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    const swf = createSwfClient({ endpoint: 'http://127.0.0.1:8080', region: 'us-east-1' }, process.env);
    expect(await swf.config.credentials()).toMatchObject({ accessKeyId: 'AKIDFROMENV' });
    swf.destroy();
  });
});
