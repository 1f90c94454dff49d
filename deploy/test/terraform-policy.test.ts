/**
 * What must hold in the Terraform, checked on the parsed HCL (no terraform
 * binary, no AWS): the modules' contracts, the network openings, the IAM
 * scope, the bucket, the table and the cache.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TERRAFORM_DIR } from './lib/env';
import { PARTITION_KEY, SORT_KEY } from '@rnb/storage-dynamodb';
import {
  block,
  loadConfiguration,
  MODULE_NAMES,
  resource,
  resourcesOf,
  sourceWithoutVariableDeclarations,
  type Body,
  type Configuration,
} from './lib/terraform';

let cfg: Configuration;
beforeAll(async () => {
  cfg = await loadConfiguration();
});

const ANYWHERE = ['0.0.0.0/0', '::/0'];

describe('module contracts', () => {
  test.each(['root', ...MODULE_NAMES])('every variable of %s has a description and a type, and is used', (name) => {
    const mod = name === 'root' ? cfg.root : cfg.modules[name as (typeof MODULE_NAMES)[number]];
    const text = sourceWithoutVariableDeclarations(mod);
    const problems: string[] = [];
    for (const [varName, [body]] of Object.entries(mod.variables)) {
      if (typeof body.description !== 'string' || body.description.length < 10) problems.push(`${varName}: no description`);
      if (body.type === undefined) problems.push(`${varName}: no type`);
      if (!new RegExp(`\\bvar\\.${varName}\\b`).test(text)) problems.push(`${varName}: declared but never used`);
    }
    expect(problems).toEqual([]);
    expect(Object.keys(mod.variables).length).toBeGreaterThan(0);
  });

  test.each(['root', ...MODULE_NAMES])('every output of %s has a description', (name) => {
    const mod = name === 'root' ? cfg.root : cfg.modules[name as (typeof MODULE_NAMES)[number]];
    const missing = Object.entries(mod.outputs)
      .filter(([, [body]]) => typeof body.description !== 'string')
      .map(([n]) => n);
    expect(missing).toEqual([]);
  });

  test.each([...MODULE_NAMES])('the root module calls %s and sets each of its variables', (name) => {
    const call = cfg.root.modules[name];
    expect(call).toHaveLength(1);
    const args = Object.keys(call[0]).filter((k) => !['source', 'count', 'for_each', 'providers', 'depends_on'].includes(k));
    expect(call[0].source).toBe(`./modules/${name}`);
    expect(args.sort()).toEqual(Object.keys(cfg.modules[name].variables).sort());
  });
});

test('production.tfvars.example holds no secret values: secrets appear only as SSM or Secrets Manager ARNs', () => {
  const text = readFileSync(path.join(TERRAFORM_DIR, 'production.tfvars.example'), 'utf8');
  expect(text).not.toMatch(/sk_(live|test)_|PRIVATE KEY|AKIA[0-9A-Z]{16}|sk-ant-/);
  const arns = text.match(/arn:aws[a-z-]*:[a-z0-9-]+:/g) ?? [];
  expect(arns.length).toBeGreaterThan(0);
  for (const arn of arns) expect(arn).toMatch(/^arn:aws:(ssm|secretsmanager|acm):$/);
  expect(text).toMatch(/secret_environment = \{\n\s+ANTHROPIC_API_KEY = "arn:aws:ssm:/);
});

describe('security groups', () => {
  const RULE_TYPES = ['aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'];

  function rules(direction: 'ingress' | 'egress'): Array<[string, string, Body]> {
    const type = `aws_vpc_security_group_${direction}_rule`;
    return [cfg.root, ...Object.values(cfg.modules)].flatMap((mod) =>
      resourcesOf(mod, type).map(([n, b]) => [mod.name, n, b] as [string, string, Body]),
    );
  }

  test('every opening is a separate rule resource (no inline rules, no legacy aws_security_group_rule)', () => {
    for (const mod of [cfg.root, ...Object.values(cfg.modules)]) {
      expect(resourcesOf(mod, 'aws_security_group_rule')).toEqual([]);
      for (const [n, sg] of resourcesOf(mod, 'aws_security_group')) {
        expect({ group: `${mod.name}.${n}`, ingress: sg.ingress, egress: sg.egress }).toEqual({ group: `${mod.name}.${n}` });
      }
    }
    expect(rules('ingress').length).toBeGreaterThan(0);
    expect(RULE_TYPES.every((t) => cfg.modules.security.resources[t])).toBe(true);
  });

  test('only the load balancer accepts traffic from anywhere, and only on 80 and 443', () => {
    const open = rules('ingress').filter(([, , b]) => b.cidr_ipv4 !== undefined || b.cidr_ipv6 !== undefined);
    expect(open.length).toBeGreaterThan(0);
    for (const [mod, name, b] of open) {
      const where = `${mod}.${name}`;
      expect({ where, sg: b.security_group_id }).toEqual({ where, sg: '${aws_security_group.alb.id}' });
      expect({ where, cidr: ANYWHERE.includes(String(b.cidr_ipv4 ?? b.cidr_ipv6)) }).toEqual({ where, cidr: true });
      expect([80, 443]).toContain(b.from_port);
      expect(b.to_port).toBe(b.from_port);
    }
  });

  test('every other ingress names its source group or a prefix list', () => {
    for (const [mod, name, b] of rules('ingress')) {
      const sources = ['cidr_ipv4', 'cidr_ipv6', 'referenced_security_group_id', 'prefix_list_id'].filter((k) => b[k] !== undefined);
      expect({ rule: `${mod}.${name}`, sources: sources.length }).toEqual({ rule: `${mod}.${name}`, sources: 1 });
    }
  });

  test('the load balancer admits CloudFront through its managed prefix list', () => {
    const sec = cfg.modules.security;
    const rule = resource(sec, 'aws_vpc_security_group_ingress_rule', 'alb_from_cloudfront');
    expect(rule.prefix_list_id).toBe('${data.aws_ec2_managed_prefix_list.cloudfront[0].id}');
    expect(sec.data.aws_ec2_managed_prefix_list.cloudfront[0].name).toBe('com.amazonaws.global.cloudfront.origin-facing');
  });

  test('tasks accept only the load balancer, on the container port', () => {
    const ingress = rules('ingress').filter(([, , b]) => b.security_group_id === '${aws_security_group.tasks.id}');
    expect(ingress).toHaveLength(1);
    const [, , rule] = ingress[0];
    expect(rule.referenced_security_group_id).toBe('${aws_security_group.alb.id}');
    expect(rule.from_port).toBe('${var.container_port}');
  });

  test('egress to anywhere is the tasks\' HTTPS only; other egress names a group or a validated CIDR', () => {
    for (const [mod, name, b] of rules('egress')) {
      const where = `${mod}.${name}`;
      if (ANYWHERE.includes(String(b.cidr_ipv4 ?? b.cidr_ipv6))) {
        expect({ where, sg: b.security_group_id, from: b.from_port, to: b.to_port }).toEqual({
          where,
          sg: '${aws_security_group.tasks.id}',
          from: 443,
          to: 443,
        });
      } else if (b.cidr_ipv4 !== undefined) {
        // The only computed CIDR is a notebook database rule, whose variable refuses 0.0.0.0/0.
        expect({ where, cidr: b.cidr_ipv4 }).toEqual({ where, cidr: '${each.value.cidr}' });
      } else {
        expect({ where, hasTarget: b.referenced_security_group_id !== undefined }).toEqual({ where, hasTarget: true });
      }
    }
    const [validation] = cfg.modules.security.variables.notebook_egress_rules[0].validation as Body[];
    expect(String(validation.condition)).toContain('r.cidr != "0.0.0.0/0"');
  });
});

describe('IAM', () => {
  function statements(docName: string): Body[] {
    const doc = cfg.modules.security.data.aws_iam_policy_document[docName][0];
    const direct = (doc.statement as Body[] | undefined) ?? [];
    const dynamic = ((doc.dynamic as Body | undefined)?.statement as Body[] | undefined) ?? [];
    return [...direct, ...dynamic.flatMap((d) => d.content as Body[])];
  }

  test('the task role has one inline policy: the notebook table and its indexes, item operations only', () => {
    const sec = cfg.modules.security;
    const attached = [...resourcesOf(sec, 'aws_iam_role_policy'), ...resourcesOf(sec, 'aws_iam_role_policy_attachment')].filter(
      ([, b]) => b.role === '${aws_iam_role.task.id}' || b.role === '${aws_iam_role.task.name}',
    );
    expect(attached.map(([n]) => n)).toEqual(['task']);
    expect(attached[0][1].policy).toBe('${data.aws_iam_policy_document.task.json}');
    const role = resource(sec, 'aws_iam_role', 'task');
    expect(role.managed_policy_arns).toBeUndefined();
    expect(role.inline_policy).toBeUndefined();

    const stmts = statements('task');
    expect(stmts.length).toBeGreaterThan(0);
    for (const s of stmts) {
      expect(s.resources).toEqual(['${var.table_arn}', '${var.table_arn}/index/*']);
      expect(s.effect ?? 'Allow').toBe('Allow');
      for (const action of s.actions as string[]) {
        expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
      }
      expect(s.actions).not.toContain('dynamodb:CreateTable');
      expect(s.actions).not.toContain('dynamodb:DeleteTable');
    }
    // ...and the table it names is the notebook table.
    expect(cfg.root.modules.security[0].table_arn).toBe('${module.storage.table_arn}');
    expect(cfg.modules.storage.outputs.table_arn[0].value).toBe('${aws_dynamodb_table.notebooks.arn}');
  });

  test('the execution role uses "*" only where AWS allows nothing else (ECR auth token)', () => {
    for (const s of statements('execution')) {
      const resources = s.resources;
      if (Array.isArray(resources) && resources.includes('*')) {
        expect(s.actions).toEqual(['ecr:GetAuthorizationToken']);
      }
    }
    const logs = statements('execution').find((s) => s.sid === 'Logs');
    expect(logs?.resources).toEqual(['${aws_cloudwatch_log_group.server.arn}:*']);
    const pull = statements('execution').find((s) => s.sid === 'EcrPull');
    expect(pull?.resources).toEqual(['${var.ecr_repository_arn}']);
  });
});

describe('storage', () => {
  test('every bucket blocks public access completely', () => {
    const storage = cfg.modules.storage;
    const buckets = resourcesOf(storage, 'aws_s3_bucket');
    expect(buckets.length).toBeGreaterThan(0);
    for (const [name] of buckets) {
      const blocks = resourcesOf(storage, 'aws_s3_bucket_public_access_block').filter(
        ([, b]) => b.bucket === `\${aws_s3_bucket.${name}.id}`,
      );
      expect(blocks).toHaveLength(1);
      const [, b] = blocks[0];
      expect([b.block_public_acls, b.block_public_policy, b.ignore_public_acls, b.restrict_public_buckets]).toEqual([
        true,
        true,
        true,
        true,
      ]);
    }
    for (const mod of Object.values(cfg.modules)) {
      if (mod.name !== 'storage') expect(resourcesOf(mod, 'aws_s3_bucket')).toEqual([]);
    }
  });

  test('only the CloudFront distribution may read the bucket (origin access control)', () => {
    const cdn = cfg.modules.cdn;
    const [stmt] = cdn.data.aws_iam_policy_document.bucket[0].statement as Body[];
    expect(stmt.actions).toEqual(['s3:GetObject']);
    expect(block(stmt, 'principals')).toEqual({ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] });
    expect(block(stmt, 'condition')).toEqual({
      test: 'StringEquals',
      variable: 'AWS:SourceArn',
      values: ['${aws_cloudfront_distribution.this.arn}'],
    });
    const oac = resource(cdn, 'aws_cloudfront_origin_access_control', 'frontend');
    expect(oac.signing_behavior).toBe('always');
  });

  test('the notebook table has the storage plugin\'s key schema, on demand, with point-in-time recovery', () => {
    const table = resource(cfg.modules.storage, 'aws_dynamodb_table', 'notebooks');
    // The plugin refuses to start on a table whose keys are not its own (a ConfigError at start).
    expect(table.hash_key).toBe(PARTITION_KEY);
    expect(table.range_key).toBe(SORT_KEY);
    expect(table.attribute).toEqual([
      { name: PARTITION_KEY, type: 'S' },
      { name: SORT_KEY, type: 'S' },
    ]);
    expect(table.billing_mode).toBe('PAY_PER_REQUEST');
    expect(block(table, 'point_in_time_recovery')).toEqual({ enabled: true });
  });

  test('the server is told to use that table and never to create one', () => {
    const locals = Object.assign({}, ...cfg.root.locals) as Body;
    const env = locals.managed_environment as Body;
    expect(env.NOTEBOOK_STORAGE).toBe('dynamodb');
    expect(env.DYNAMODB_TABLE).toBe('${local.table_name}');
    expect(env.DYNAMODB_CREATE_TABLE).toBe('false');
    expect(cfg.root.modules.storage[0].table_name).toBe('${local.table_name}');
  });
});

describe('cache (cluster mode)', () => {
  test('Redis admits the tasks\' security group only, on the Redis port', () => {
    const ingress = resourcesOf(cfg.modules.security, 'aws_vpc_security_group_ingress_rule').filter(
      ([, b]) => b.security_group_id === '${aws_security_group.cache[0].id}',
    );
    expect(ingress).toHaveLength(1);
    const [, rule] = ingress[0];
    expect(rule.referenced_security_group_id).toBe('${aws_security_group.tasks.id}');
    expect(rule.cidr_ipv4).toBeUndefined();
    expect(rule.prefix_list_id).toBeUndefined();
    expect(rule.from_port).toBe('${var.redis_port}');
    expect(cfg.root.modules.security[0].redis_port).toBe('${local.redis_port}');
    expect(cfg.root.modules.cache[0].port).toBe('${local.redis_port}');
  });

  test('the replication group sits in private subnets behind that group, with TLS, an AUTH token and encryption at rest', () => {
    const cache = cfg.modules.cache;
    const rg = resource(cache, 'aws_elasticache_replication_group', 'this');
    expect(rg.transit_encryption_enabled).toBe(true);
    expect(rg.at_rest_encryption_enabled).toBe(true);
    expect(rg.auth_token).toBe('${data.aws_secretsmanager_secret_version.auth_token.secret_string}');
    expect(cache.data.aws_secretsmanager_secret_version.auth_token[0].secret_id).toBe('${var.auth_token_secret_arn}');
    expect(rg.security_group_ids).toEqual(['${var.security_group_id}']);
    expect(resource(cache, 'aws_elasticache_subnet_group', 'this').subnet_ids).toBe('${var.subnet_ids}');

    const call = cfg.root.modules.cache[0];
    expect(call.subnet_ids).toBe('${module.networking.private_subnet_ids}');
    expect(call.security_group_id).toBe('${module.security.cache_security_group_id}');
    expect(call.auth_token_secret_arn).toBe('${var.redis_auth_token_secret_arn}');
  });

  test('the server gets a rediss:// URL and the token as a secret, never as plain text', () => {
    expect(String(cfg.modules.cache.outputs.redis_url[0].value)).toMatch(/^rediss:\/\//);
    const locals = Object.assign({}, ...cfg.root.locals) as Body;
    expect(String(locals.secrets)).toContain('REDIS_AUTH_TOKEN = var.redis_auth_token_secret_arn');
    expect((locals.managed_environment as Body).REDIS_AUTH_TOKEN).toBeUndefined();
  });

  test('leases are never evicted (noeviction)', () => {
    const pg = resource(cfg.modules.cache, 'aws_elasticache_parameter_group', 'this');
    expect(pg.parameter).toEqual([{ name: 'maxmemory-policy', value: 'noeviction' }]);
  });
});

describe('compute and CDN', () => {
  test('the service\'s task count is a variable under autoscaling', () => {
    const compute = cfg.modules.compute;
    expect(resource(compute, 'aws_ecs_service', 'server').desired_count).toBe('${var.task_count}');
    const target = resource(compute, 'aws_appautoscaling_target', 'server');
    expect([target.min_capacity, target.max_capacity]).toEqual(['${var.autoscaling_min}', '${var.autoscaling_max}']);
    expect(resourcesOf(compute, 'aws_appautoscaling_policy').map(([n]) => n).sort()).toEqual(['cpu', 'memory']);
  });

  test('the load balancer keeps WebSockets: idle timeout from a variable of at least 60 s, sticky sessions, /healthz', () => {
    const compute = cfg.modules.compute;
    expect(resource(compute, 'aws_lb', 'this').idle_timeout).toBe('${var.alb_idle_timeout}');
    const idle = cfg.root.variables.alb_idle_timeout[0];
    expect(idle.default).toBeGreaterThanOrEqual(60);
    const tg = resource(compute, 'aws_lb_target_group', 'server');
    expect(block(tg, 'stickiness')).toMatchObject({ type: 'lb_cookie', enabled: true });
    expect(block(tg, 'health_check')).toMatchObject({ path: '/healthz', matcher: '200' });
  });

  test('CloudFront sends /api/* and /socket.io/* to the load balancer, uncached, and the rest to S3', () => {
    const cdn = cfg.modules.cdn;
    const locals = Object.assign({}, ...cdn.locals) as Body;
    expect(locals.server_paths).toEqual(['/api/*', '/socket.io/*']);
    const dist = resource(cdn, 'aws_cloudfront_distribution', 'this');
    const behaviours = (dist.dynamic as Body).ordered_cache_behavior as Body[];
    expect(behaviours[0].for_each).toBe('${local.server_paths}');
    const content = (behaviours[0].content as Body[])[0];
    expect(content.target_origin_id).toBe('${local.alb_origin_id}');
    expect(content.cache_policy_id).toBe('${data.aws_cloudfront_cache_policy.caching_disabled.id}');
    expect(block(dist, 'default_cache_behavior').target_origin_id).toBe('${local.s3_origin_id}');
  });
});
