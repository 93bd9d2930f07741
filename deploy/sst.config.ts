/// <reference path="./.sst/platform/config.d.ts" />

/*
 * The engineers' marimo server on AWS: ECS Fargate behind an Application Load
 * Balancer, a private versioned S3 bucket for data, the server's password as an
 * SST secret, and CloudWatch alarms. SST 4 (Pulumi AWS provider v7).
 *
 * Per-stage size, scaling, capacity and schedule come from ./stages.json, the
 * same file the cost estimate (`just cost`) reads. Type-checked offline against
 * the real SST platform types by `just typecheck` (see README, Deployment).
 */
type ServiceArgs = sst.aws.ServiceArgs;
type Cpu = NonNullable<ServiceArgs["cpu"]>;
type Memory = NonNullable<ServiceArgs["memory"]>;

/** What stages.json holds for one stage (checked at compile time against the file). */
interface StageEntry {
  cpu: string;
  memory: string;
  scaling: { min: number; max: number; cpuUtilization: number };
  capacity: string;
  officeHours: { timezone: string; weekdays: string; start: number; stop: number } | null;
  protect: boolean;
  domain: string | null;
  alarmEmail: string | null;
}

interface Stage extends Omit<StageEntry, "cpu" | "memory" | "capacity"> {
  name: string;
  cpu: Cpu;
  memory: Memory;
  capacity: "fargate" | "spot";
}

// Fargate's task sizes; `satisfies` makes the compiler reject a size SST does not know.
const CPUS = ["0.25 vCPU", "0.5 vCPU", "1 vCPU", "2 vCPU", "4 vCPU", "8 vCPU", "16 vCPU"] as const satisfies readonly Cpu[];

// SST allows no top-level imports: the settings are imported where they are used.
async function loadSettings() {
  return (await import("./stages.json")).default;
}
type Settings = Awaited<ReturnType<typeof loadSettings>>;

/** The validated settings of `stage` (an unlisted stage gets `defaultStage`'s). */
function stageSettings(settings: Settings, stage: string): Stage {
  const STAGES: Record<string, StageEntry> = settings.stages;
  const entry = STAGES[stage] ?? STAGES[settings.defaultStage];
  const where = `deploy/stages.json, stage "${stage in STAGES ? stage : settings.defaultStage}"`;
  if (!entry) throw new Error(`${where}: no such stage and no defaultStage`);
  const cpu = CPUS.find((c) => c === entry.cpu);
  if (!cpu) throw new Error(`${where}: cpu "${entry.cpu}" is not one of ${CPUS.join(", ")}`);
  if (!/^\d+(\.\d+)? GB$/.test(entry.memory)) throw new Error(`${where}: memory "${entry.memory}" is not like "2 GB"`);
  if (entry.capacity !== "fargate" && entry.capacity !== "spot")
    throw new Error(`${where}: capacity "${entry.capacity}" is not "fargate" or "spot"`);
  const { min, max } = entry.scaling;
  if (!(Number.isInteger(min) && Number.isInteger(max) && 1 <= min && min <= max))
    throw new Error(`${where}: scaling needs integers 1 <= min <= max`);
  const hours = entry.officeHours;
  if (hours && !(Number.isInteger(hours.start) && Number.isInteger(hours.stop) && 0 <= hours.start && hours.start < hours.stop && hours.stop <= 23))
    throw new Error(`${where}: officeHours needs whole hours 0 <= start < stop <= 23`);
  return { ...entry, name: stage, cpu, memory: entry.memory as Memory, capacity: entry.capacity };
}

export default $config({
  async app(input) {
    const settings = await loadSettings();
    const stage = stageSettings(settings, input.stage);
    return {
      name: settings.app,
      home: "aws",
      version: "4.17.1",
      // Production keeps its bucket and data when the stage is removed, and
      // `sst remove --stage production` refuses to run at all.
      removal: stage.protect ? "retain" : "remove",
      protect: stage.protect,
      providers: { aws: { region: settings.region as aws.Region } },
    };
  },

  async run() {
    const settings = await loadSettings();
    const stage = stageSettings(settings, $app.stage);
    const port = settings.containerPort;
    const containerPort = `${port}/http` as const;

    // --- Network. No NAT gateways (they would cost more than everything else):
    // tasks run in the public subnets with a public IP, and the VPC's security
    // group only admits traffic from inside the VPC, i.e. from the load balancer.
    const vpc = new sst.aws.Vpc("MarimoVpc", { az: settings.availabilityZones });
    const cluster = new sst.aws.Cluster("MarimoCluster", { vpc });

    // --- Data bucket: private (SST blocks public access by default), versioned,
    // CORS for GET requests (e.g. presigned URLs) from the portfolio website only.
    const bucket = new sst.aws.Bucket("MarimoData", {
      versioning: true,
      cors: {
        allowOrigins: settings.portfolioOrigins,
        allowMethods: ["GET"],
        allowHeaders: ["*"],
        exposeHeaders: ["ETag", "Content-Length"],
        maxAge: "1 hour",
      },
      // SST empties buckets on removal by default; never for a protected stage.
      transform: { bucket: { forceDestroy: !stage.protect } },
    });
    // SST's `lifecycle` only expires objects; transitions and non-current
    // version expiry need the provider resource (one configuration per bucket).
    new aws.s3.BucketLifecycleConfiguration("MarimoDataLifecycle", {
      bucket: bucket.name,
      rules: [
        {
          id: "intelligent-tiering",
          status: "Enabled",
          filter: {},
          transitions: [
            { days: settings.bucket.intelligentTieringAfterDays, storageClass: "INTELLIGENT_TIERING" },
          ],
        },
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: settings.bucket.noncurrentVersionExpirationDays },
          expiration: { expiredObjectDeleteMarker: true },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    });

    // --- The server's password: set it with `pnpm sst secret set MarimoPassword …
    // --stage <stage>`. It reaches the container through an SSM SecureString that
    // ECS injects at start, so the task definition only holds the parameter's ARN
    // (linking the secret would put its value into the task's environment).
    const password = new sst.Secret("MarimoPassword");
    const passwordParameter = new aws.ssm.Parameter("MarimoPasswordParameter", {
      name: `/${$app.name}/${$app.stage}/marimo-password`,
      type: "SecureString",
      value: password.value,
    });

    const domain = stage.domain;
    const service = new sst.aws.Service("MarimoNotebooks", {
      cluster,
      // Built from the repository's Dockerfile (multi-stage, port 7860, /health).
      image: { context: "..", dockerfile: "Dockerfile" },
      architecture: "x86_64", // linux/amd64
      cpu: stage.cpu,
      memory: stage.memory,
      // Fargate Spot costs ~70 % less but AWS may reclaim a task with two
      // minutes' warning: fine for dev, not for production sessions.
      capacity: stage.capacity === "spot" ? "spot" : undefined,
      scaling: {
        min: stage.scaling.min,
        max: stage.scaling.max,
        cpuUtilization: stage.scaling.cpuUtilization,
        memoryUtilization: false, // SST's default would add a second (memory) target
        // Scale in slowly: a removed task takes its sessions with it (see the
        // deregistration delay below).
        scaleInCooldown: "15 minutes",
        scaleOutCooldown: "2 minutes",
      },
      link: [bucket],
      environment: {
        MARIMO_DATA_BUCKET: bucket.name,
        CLIMATEVIS_WEATHER_MIRROR: $interpolate`s3://${bucket.name}/weather`,
        AWS_REGION: settings.region,
        // Uvicorn trusts X-Forwarded-Proto/For from the load balancer (the only
        // thing that can reach the task), so cookies are Secure behind HTTPS.
        FORWARDED_ALLOW_IPS: "*",
      },
      ssm: { MARIMO_PASSWORD: passwordParameter.arn },
      // Container health check run by ECS (the image has Python, not curl).
      health: {
        command: [
          "CMD",
          "python",
          "-c",
          `import urllib.request; urllib.request.urlopen("http://127.0.0.1:${port}/health", timeout=4)`,
        ],
        startPeriod: "60 seconds",
        interval: "30 seconds",
        timeout: "5 seconds",
        retries: 3,
      },
      loadBalancer: {
        // Optional custom domain (stages.json `domain`, Route 53 by default):
        // HTTPS with an ACM certificate and HTTP redirected to it. Without it the
        // endpoint is the load balancer's own DNS name over plain HTTP.
        domain: domain ?? undefined,
        rules: domain
          ? [
              { listen: "80/http", redirect: "443/https" },
              { listen: "443/https", forward: containerPort },
            ]
          : [{ listen: "80/http", forward: containerPort }],
        // The load balancer's check hits the cheap /health route. A busy task
        // (a long EnergyPlus run) must not be replaced mid-session, so it takes
        // 5 failures in a row (2.5 minutes) with a generous timeout.
        health: {
          [containerPort]: {
            path: "/health",
            interval: "30 seconds",
            timeout: "10 seconds",
            healthyThreshold: 2,
            unhealthyThreshold: 5,
            successCodes: "200",
          },
        },
      },
      // A fixed log-group name, so that `just logs` finds it without AWS lookups.
      logging: { retention: "1 month", name: `/${$app.name}/${$app.stage}/marimo` },
      wait: stage.protect,
      dev: {
        // `sst dev` runs the server locally (as the container does) instead of deploying it.
        command: "just serve",
        directory: "..",
        url: `http://127.0.0.1:${port}`,
      },
      transform: {
        // marimo keeps each session (kernel + websocket) in the memory of one
        // task. With two tasks, the browser's HTTP requests and websocket
        // reconnects must reach the task that holds its session: the target
        // group pins a browser to a task with a load-balancer cookie. When a
        // task is drained (scale-in, deploy) its open connections get
        // `deregistrationDelaySeconds` to finish before they are cut.
        target: (args) => {
          args.stickiness = {
            enabled: true,
            type: "lb_cookie",
            cookieDuration: settings.loadBalancer.stickinessSeconds,
          };
          args.deregistrationDelay = settings.loadBalancer.deregistrationDelaySeconds;
          return undefined;
        },
        // Websockets idle longer than this are closed by the load balancer
        // (marimo's frontend reconnects, and stickiness brings it back).
        loadBalancer: (args) => {
          args.idleTimeout = settings.loadBalancer.idleTimeoutSeconds;
          return undefined;
        },
        // Deploys start the new task before stopping the old one, and the new
        // task gets time to start before failed checks count against it.
        service: (args) => {
          args.healthCheckGracePeriodSeconds = 120;
          args.deploymentMinimumHealthyPercent = 100;
          args.deploymentMaximumPercent = 200;
          return undefined;
        },
      },
    });

    if (!$dev) {
      // --- Alarms (the AWS provider; SST has no alarm component). With an
      // `alarmEmail` in stages.json they notify through an SNS topic.
      const topic = stage.alarmEmail ? new aws.sns.Topic("MarimoAlarms") : undefined;
      if (topic && stage.alarmEmail) {
        new aws.sns.TopicSubscription("MarimoAlarmsEmail", {
          topic: topic.arn,
          protocol: "email",
          endpoint: stage.alarmEmail,
        });
      }
      const actions = topic ? [topic.arn] : [];
      const dimensions = {
        ClusterName: cluster.nodes.cluster.name,
        ServiceName: service.nodes.service.name,
      };
      const alarm = (name: string, metricName: string, threshold: number) =>
        new aws.cloudwatch.MetricAlarm(name, {
          namespace: "AWS/ECS",
          metricName,
          dimensions,
          statistic: "Average",
          period: settings.alarms.periodSeconds,
          evaluationPeriods: settings.alarms.evaluationPeriods,
          threshold,
          comparisonOperator: "GreaterThanThreshold",
          // Outside office hours the service runs no task and reports nothing.
          treatMissingData: "notBreaching",
          alarmDescription: `${$app.name} (${$app.stage}): ${metricName} above ${threshold} %`,
          alarmActions: actions,
          okActions: actions,
        });
      alarm("MarimoHighMemory", "MemoryUtilization", settings.alarms.memoryPercent);
      alarm("MarimoHighCpu", "CPUUtilization", settings.alarms.cpuPercent);

      // --- Office hours: scale to zero tasks at night and on weekends (the
      // load balancer answers 503 then), back to min..max in the morning.
      const hours = stage.officeHours;
      if (hours) {
        const target = service.nodes.autoScalingTarget;
        const scheduled = {
          serviceNamespace: target.serviceNamespace,
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          timezone: hours.timezone,
        };
        const start = new aws.appautoscaling.ScheduledAction("MarimoOfficeHoursStart", {
          ...scheduled,
          schedule: `cron(0 ${hours.start} ? * ${hours.weekdays} *)`,
          scalableTargetAction: { minCapacity: stage.scaling.min, maxCapacity: stage.scaling.max },
        });
        // One scheduled-action update at a time (AWS rejects concurrent ones).
        new aws.appautoscaling.ScheduledAction(
          "MarimoOfficeHoursStop",
          {
            ...scheduled,
            schedule: `cron(0 ${hours.stop} ? * ${hours.weekdays} *)`,
            scalableTargetAction: { minCapacity: 0, maxCapacity: 0 },
          },
          { dependsOn: [start] },
        );
      }
    }

    return {
      endpoint: service.url,
      bucket: bucket.name,
    };
  },
});
