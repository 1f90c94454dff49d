/**
 * The deploy scripts, without AWS or Docker: syntax (bash -n), shellcheck, and
 * their behaviour on missing variables and in --dry-run, with stand-ins for
 * docker/aws/npm on PATH that record any call (a dry run must make none).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEPLOY_DIR, describeWithTool, run, SCRIPTS_DIR, which } from './lib/env';

const BACKEND = path.join(SCRIPTS_DIR, 'deploy-backend.sh');
const FRONTEND = path.join(SCRIPTS_DIR, 'deploy-frontend.sh');
const CLUSTER = path.join(SCRIPTS_DIR, 'cluster-local.sh');
const BASH_SCRIPTS = readdirSync(SCRIPTS_DIR)
  .filter((f) => f.endsWith('.sh'))
  .map((f) => path.join(SCRIPTS_DIR, f));
const SH_SCRIPTS = [path.join(DEPLOY_DIR, 'docker', 'docker-entrypoint.sh')];

let sandbox = '';
let stubBin = '';
let callLog = '';

beforeAll(() => {
  sandbox = mkdtempSync(path.join(os.tmpdir(), 'rnb-scripts-'));
  stubBin = path.join(sandbox, 'bin');
  callLog = path.join(sandbox, 'calls.log');
  mkdirSync(stubBin);
  for (const tool of ['docker', 'aws', 'npm']) {
    const stub = path.join(stubBin, tool);
    writeFileSync(stub, `#!/bin/sh\necho "${tool} $*" >> "${callLog}"\nexit 0\n`);
    chmodSync(stub, 0o755);
  }
  writeFileSync(callLog, '');
});

afterAll(() => {
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
});

/** Runs a script with only the given variables (plus PATH with the stand-ins first). */
function script(file: string, args: string[], vars: Record<string, string> = {}) {
  return run('bash', [file, ...args], {
    env: { PATH: `${stubBin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: sandbox, ...vars },
  });
}

function calls(): string {
  return readFileSync(callLog, 'utf8');
}

test('the scripts are where the README says, executable, and strict', () => {
  expect(BASH_SCRIPTS.map((f) => path.basename(f)).sort()).toEqual(['cluster-local.sh', 'deploy-backend.sh', 'deploy-frontend.sh']);
  for (const file of BASH_SCRIPTS) {
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toContain('\nset -euo pipefail\n');
  }
});

test.each(BASH_SCRIPTS.map((f) => [path.basename(f), f]))('bash -n accepts %s', (_name, file) => {
  const res = run('bash', ['-n', file]);
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
});

test.each(SH_SCRIPTS.map((f) => [path.basename(f), f]))('sh -n accepts %s', (_name, file) => {
  const res = run('sh', ['-n', file]);
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
});

describeWithTool('shellcheck', 'Debian: apt-get install -y shellcheck', (shellcheck) => {
  test.each([...BASH_SCRIPTS, ...SH_SCRIPTS].map((f) => [path.basename(f), f]))('shellcheck finds nothing in %s', (_name, file) => {
    const res = run(shellcheck, ['--severity=style', file]);
    expect({ status: res.status, findings: res.stdout }).toEqual({ status: 0, findings: '' });
  });
});

describe('deploy-backend.sh', () => {
  const ALL = {
    AWS_REGION: 'eu-west-1',
    ECR_REPOSITORY_URL: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/rnb-prod/server',
    ECS_CLUSTER: 'rnb-prod',
    ECS_SERVICE: 'server',
    IMAGE_TAG_PARAMETER: '/rnb-prod/server/image-tag',
    IMAGE_TAG: 'abc123def456',
  };

  test('names every missing variable and how to get them, and runs nothing', () => {
    const res = script(BACKEND, ['--dry-run']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      'missing required environment variable(s): AWS_REGION ECR_REPOSITORY_URL ECS_CLUSTER ECS_SERVICE IMAGE_TAG_PARAMETER',
    );
    expect(res.stderr).toContain('terraform -chdir=deploy/terraform output -raw deploy_env');
    expect(calls()).toBe('');
  });

  test('needs only the registry with --push-only', () => {
    const res = script(BACKEND, ['--push-only', '--dry-run'], { AWS_REGION: 'eu-west-1' });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/missing required environment variable\(s\): ECR_REPOSITORY_URL\n/);
  });

  test('refuses a repository URL that is not ECR\'s', () => {
    const res = script(BACKEND, ['--dry-run'], { ...ALL, ECR_REPOSITORY_URL: 'docker.io/me/server' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('ECR_REPOSITORY_URL must look like 123456789012.dkr.ecr.REGION.amazonaws.com/NAME');
  });

  test('refuses an invalid image tag', () => {
    const res = script(BACKEND, ['--dry-run'], { ...ALL, IMAGE_TAG: 'has space' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('IMAGE_TAG is not a valid image tag');
  });

  test('rejects an unknown flag with the usage', () => {
    const res = script(BACKEND, ['--force'], ALL);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('Usage: deploy-backend.sh');
    expect(res.stderr).toContain('unknown argument: --force');
  });

  test('--dry-run prints build, push, service update, wait and tag record, and calls nothing', () => {
    const res = script(BACKEND, ['--dry-run'], ALL);
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    const image = `${ALL.ECR_REPOSITORY_URL}:${ALL.IMAGE_TAG}`;
    const out = res.stdout;
    expect(out).toContain(`+ docker build --platform linux/amd64 -f ${path.join(DEPLOY_DIR, 'Dockerfile')}`);
    expect(out).toContain(`-t ${image}`);
    expect(out).toContain('docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    expect(out).toContain(`+ docker push ${image}`);
    expect(out).toContain('aws ecs update-service --region eu-west-1 --cluster rnb-prod --service server');
    expect(out).toContain('aws ecs wait services-stable');
    expect(out).toContain(`aws ssm put-parameter --region eu-west-1 --name /rnb-prod/server/image-tag --value ${ALL.IMAGE_TAG}`);
    // Order matters: the tag is recorded only after the service is stable.
    expect(out.indexOf('docker push')).toBeLessThan(out.indexOf('update-service'));
    expect(out.indexOf('services-stable')).toBeLessThan(out.indexOf('put-parameter'));
    expect(calls()).toBe('');
  });

  test('--skip-build (rollback) deploys an existing tag without building, and needs that tag', () => {
    const { IMAGE_TAG: _unused, ...withoutTag } = ALL;
    const refused = script(BACKEND, ['--skip-build', '--dry-run'], withoutTag);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--skip-build deploys an image already in ECR: set IMAGE_TAG to its tag');

    const res = script(BACKEND, ['--skip-build', '--dry-run'], { ...ALL, IMAGE_TAG: 'previous1' });
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain('docker');
    expect(res.stdout).toContain('aws ecr describe-images --region eu-west-1 --repository-name rnb-prod/server --image-ids imageTag=previous1');
    expect(res.stdout).toContain('aws ecs update-service');
    expect(res.stdout).toContain('--value previous1');
    expect(calls()).toBe('');
  });

  test('--push-only --dry-run stops after the push', () => {
    const res = script(BACKEND, ['--push-only', '--dry-run'], { AWS_REGION: ALL.AWS_REGION, ECR_REPOSITORY_URL: ALL.ECR_REPOSITORY_URL, IMAGE_TAG: 't1' });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('docker push');
    expect(res.stdout).not.toContain('update-service');
    expect(res.stderr).toContain('initial_image_tag = "t1"');
  });
});

describe('deploy-backend.sh for real, against stand-ins for docker and the AWS CLI', () => {
  const ENV = {
    AWS_REGION: 'eu-west-1',
    ECR_REPOSITORY_URL: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/rnb-prod/server',
    ECS_CLUSTER: 'rnb-prod',
    ECS_SERVICE: 'server',
    IMAGE_TAG_PARAMETER: '/rnb-prod/server/image-tag',
    IMAGE_TAG: 'abc123def456',
  };
  const DESCRIBED = {
    taskDefinition: {
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/rnb-prod-server:7',
      family: 'rnb-prod-server',
      revision: 7,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'ecs.capability.execution-role-awslogs' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:iam::123456789012:role/terraform',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [
        { name: 'server', image: `${ENV.ECR_REPOSITORY_URL}:old`, environment: [{ name: 'PORT', value: '8000' }] },
      ],
    },
    tags: [{ key: 'Project', value: 'reactive-notebook' }],
  };

  let stubDir = '';
  let bin = '';
  beforeEach(() => {
    stubDir = mkdtempSync(path.join(sandbox, 'aws-'));
    bin = path.join(stubDir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(stubDir, 'calls.log'), '');
    writeFileSync(path.join(stubDir, 'task-definition.json'), JSON.stringify(DESCRIBED));
    symlinkSync(path.join(__dirname, 'fixtures', 'aws-stub.sh'), path.join(bin, 'aws'));
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "docker $*" >> "${stubDir}/calls.log"\ncat >/dev/null\n`);
    chmodSync(path.join(bin, 'docker'), 0o755);
  });

  function deploy(extra: Record<string, string> = {}) {
    return run('bash', [BACKEND], {
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: sandbox, STUB_DIR: stubDir, ...ENV, ...extra },
    });
  }
  const callList = (): string[] => readFileSync(path.join(stubDir, 'calls.log'), 'utf8').trim().split('\n');

  test('builds, pushes, registers a copy of the running task definition with the new image, waits, records the tag', () => {
    const res = deploy();
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    expect(res.stderr).toContain(`deployed ${ENV.ECR_REPOSITORY_URL}:${ENV.IMAGE_TAG}`);
    const heads = callList().map((c) => c.split(' ').slice(0, 3).join(' '));
    // The two sides of the login pipe run at once: their order is free.
    expect(heads.slice(1, 3).sort()).toEqual(['aws ecr get-login-password', 'docker login --username']);
    expect([heads[0], ...heads.slice(3)]).toEqual([
      'docker build --platform',
      'docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/rnb-prod/server:abc123def456',
      'aws ecs describe-services',
      'aws ecs describe-task-definition',
      'aws ecs register-task-definition',
      'aws ecs update-service',
      'aws ecs wait',
      'aws ecs describe-services',
      'aws ssm put-parameter',
    ]);
    expect(callList().find((c) => c.includes('update-service'))).toContain('--task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/rnb-prod-server:8');

    const registered = JSON.parse(readFileSync(path.join(stubDir, 'registered.json'), 'utf8')) as Record<string, unknown>;
    const { taskDefinition } = DESCRIBED;
    expect(registered).toEqual({
      family: taskDefinition.family,
      requiresCompatibilities: taskDefinition.requiresCompatibilities,
      networkMode: taskDefinition.networkMode,
      cpu: taskDefinition.cpu,
      memory: taskDefinition.memory,
      containerDefinitions: [{ ...taskDefinition.containerDefinitions[0], image: `${ENV.ECR_REPOSITORY_URL}:${ENV.IMAGE_TAG}` }],
      tags: DESCRIBED.tags,
    });
  });

  test('fails, naming the revision, when ECS rolled the deployment back; the tag is not recorded', () => {
    const res = deploy({ STUB_ROLLBACK: '1' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('ECS rolled the deployment back to arn:aws:ecs:eu-west-1:123456789012:task-definition/rnb-prod-server:7');
    expect(callList().some((c) => c.startsWith('aws ssm put-parameter'))).toBe(false);
  });

  test('fails with the command to read the service events when it never becomes stable', () => {
    const res = deploy({ STUB_WAIT_STATUS: '255' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('did not become stable');
    expect(res.stderr).toContain("aws ecs describe-services --cluster rnb-prod --services server --query 'services[0].events[:10]'");
    expect(callList().some((c) => c.startsWith('aws ssm put-parameter'))).toBe(false);
  });
});

describe('deploy-frontend.sh', () => {
  const ALL = { AWS_REGION: 'eu-west-1', FRONTEND_BUCKET: 'rnb-prod-frontend-123456789012', CLOUDFRONT_DISTRIBUTION_ID: 'E2ABCDEF123456' };

  test('names every missing variable, and runs nothing', () => {
    const res = script(FRONTEND, ['--dry-run'], { AWS_REGION: 'eu-west-1' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('missing required environment variable(s): FRONTEND_BUCKET CLOUDFRONT_DISTRIBUTION_ID');
    expect(calls()).toBe('');
  });

  test('refuses an s3:// URL where a bucket name belongs', () => {
    const res = script(FRONTEND, ['--dry-run'], { ...ALL, FRONTEND_BUCKET: 's3://bucket' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('FRONTEND_BUCKET must be a bucket name (no s3:// prefix)');
  });

  test('--dry-run prints build, cache-header uploads (assets first) and invalidation, and calls nothing', () => {
    const res = script(FRONTEND, ['--dry-run', '--wait'], ALL);
    expect(res.status).toBe(0);
    const out = res.stdout;
    expect(out).toContain('+ npm --prefix');
    expect(out).toContain('run build --workspace @rnb/web');
    // printf %q escapes ',' and ' ': the value is "public, max-age=31536000, immutable".
    expect(out).toMatch(/aws s3 sync \S+\/assets s3:\/\/rnb-prod-frontend-123456789012\/assets .*--cache-control public\\,\\ max-age=31536000\\,\\ immutable/);
    expect(out).toMatch(/aws s3 sync \S+ s3:\/\/rnb-prod-frontend-123456789012 .*--exclude assets\/\\\* --cache-control no-cache --delete/);
    expect(out.indexOf('/assets s3://')).toBeLessThan(out.indexOf('--cache-control no-cache'));
    expect(out).toContain('aws cloudfront create-invalidation --distribution-id E2ABCDEF123456 --paths /\\*');
    expect(out).toContain('aws cloudfront wait invalidation-completed');
    expect(calls()).toBe('');
  });

  test('for real (stand-in AWS CLI): uploads assets, then the rest, then invalidates and waits', () => {
    const stubDir = mkdtempSync(path.join(sandbox, 'aws-front-'));
    const bin = path.join(stubDir, 'bin');
    const dist = path.join(stubDir, 'dist');
    mkdirSync(bin);
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), '');
    writeFileSync(path.join(stubDir, 'calls.log'), '');
    symlinkSync(path.join(__dirname, 'fixtures', 'aws-stub.sh'), path.join(bin, 'aws'));
    const res = run('bash', [FRONTEND, '--skip-build', '--wait'], {
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: sandbox, STUB_DIR: stubDir, FRONTEND_DIST: dist, ...ALL },
    });
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    const list = readFileSync(path.join(stubDir, 'calls.log'), 'utf8').trim().split('\n');
    expect(list).toEqual([
      `aws s3 sync ${dist}/assets s3://${ALL.FRONTEND_BUCKET}/assets --region eu-west-1 --cache-control public, max-age=31536000, immutable --only-show-errors`,
      `aws s3 sync ${dist} s3://${ALL.FRONTEND_BUCKET} --region eu-west-1 --exclude assets/* --cache-control no-cache --delete --only-show-errors`,
      `aws cloudfront create-invalidation --distribution-id ${ALL.CLOUDFRONT_DISTRIBUTION_ID} --paths /* --query Invalidation.Id --output text`,
      `aws cloudfront wait invalidation-completed --distribution-id ${ALL.CLOUDFRONT_DISTRIBUTION_ID} --id I2STUBINVALIDATION`,
    ]);
  });

  test('--skip-build without a build says where it looked', () => {
    const empty = mkdtempSync(path.join(sandbox, 'dist-'));
    const res = script(FRONTEND, ['--dry-run', '--skip-build'], { ...ALL, FRONTEND_DIST: empty });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`no build at ${empty} (index.html missing)`);
  });
});

describe('cluster-local.sh (argument handling; the running cluster is in cluster-local.test.ts)', () => {
  test('--dry-run shows both instances in cluster mode against local Redis and dynalite', () => {
    const res = script(CLUSTER, ['--dry-run']);
    expect(res.status).toBe(0);
    const lines = res.stdout.split('\n').filter((l) => l.includes('node '));
    expect(lines).toHaveLength(2);
    for (const [i, port] of ['8001', '8002'].entries()) {
      for (const kv of [
        `PORT=${port}`,
        'REDIS_URL=redis://127.0.0.1:6390',
        'NOTEBOOK_STORAGE=dynamodb',
        'DYNAMODB_ENDPOINT=http://127.0.0.1:4567',
        'DYNAMODB_CREATE_TABLE=true',
      ]) {
        expect(lines[i]).toContain(kv);
      }
    }
    expect(res.stdout).toContain('redis-server --port 6390');
    expect(res.stdout).toContain('dynalite --port 4567');
  });

  test('refuses a bad port', () => {
    const res = script(CLUSTER, [], { SERVER_PORTS: '8001 http' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("not a port number: 'http'");
  });

  test('says how to install redis-server when it is missing', () => {
    // A PATH with node and the few tools the script needs before that check.
    const bin = mkdtempSync(path.join(sandbox, 'bin-'));
    for (const tool of ['node', 'dirname']) {
      const found = which(tool);
      if (!found) throw new Error(`${tool} not on PATH`);
      symlinkSync(found, path.join(bin, tool));
    }
    const res = run(which('bash') ?? '/bin/bash', [CLUSTER], { env: { PATH: bin } });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('redis-server is not on PATH; install it (Debian/Ubuntu: apt-get install -y redis-server');
  });
});
