{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "todo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name; the release "todo" of chart "todo" gives "todo".
*/}}
{{- define "todo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "todo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The helpers below take (dict "root" $ "component" "web"); component may be empty for objects
every component shares (ConfigMap, Secret, ServiceAccount).
*/}}
{{- define "todo.componentName" -}}
{{- printf "%s-%s" (include "todo.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
part-of is fixed: k8s/redpanda.yaml admits Kafka clients by app.kubernetes.io/part-of=todo.
*/}}
{{- define "todo.labels" -}}
helm.sh/chart: {{ include "todo.chart" .root }}
{{ include "todo.selectorLabels" . }}
app.kubernetes.io/version: {{ include "todo.imageTag" .root | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: todo
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "todo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image tag shared by both images: image.tag, else the chart's appVersion; never "latest".
*/}}
{{- define "todo.imageTag" -}}
{{- $tag := toString (default .Chart.AppVersion .Values.image.tag) }}
{{- if or (eq $tag "") (eq (lower $tag) "latest") }}
{{- fail "image.tag must name a version or a git commit SHA, never \"latest\"" }}
{{- end }}
{{- $tag }}
{{- end }}

{{/*
Image reference; takes (dict "root" $ "variant" "backend"|"frontend").
*/}}
{{- define "todo.image" -}}
{{- $image := .root.Values.image }}
{{- $repository := $image.repository }}
{{- with $image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}
{{- end }}
{{- printf "%s:%s-%s" $repository .variant (include "todo.imageTag" .root) }}
{{- end }}

{{- define "todo.secretName" -}}
{{- default (include "todo.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
ConfigMap data, shared by the regular ConfigMap and the migrate hook's copy so they cannot drift,
and hashed into checksum/config so pods roll when a setting changes.
*/}}
{{- define "todo.configData" -}}
{{- $config := .Values.config -}}
DJANGO_SETTINGS_MODULE: {{ $config.settingsModule | quote }}
DJANGO_ALLOWED_HOSTS: {{ join "," $config.allowedHosts | quote }}
DJANGO_CSRF_TRUSTED_ORIGINS: {{ join "," $config.csrfTrustedOrigins | quote }}
DJANGO_HTTPS: {{ ternary "true" "false" $config.https | quote }}
KAFKA_BOOTSTRAP_SERVERS: {{ $config.kafkaBootstrapServers | quote }}
KAFKA_SECURITY_PROTOCOL: {{ $config.kafkaSecurityProtocol | quote }}
KAFKA_SASL_MECHANISM: {{ $config.kafkaSaslMechanism | quote }}
KAFKA_TOPIC_PREFIX: {{ $config.kafkaTopicPrefix | quote }}
KAFKA_FETCH_WAIT_MAX_MS: {{ $config.kafkaFetchWaitMaxMs | quote }}
KAFKA_TOPIC_PARTITIONS: {{ $config.kafkaTopicPartitions | quote }}
KAFKA_TOPIC_REPLICATION: {{ $config.kafkaTopicReplication | quote }}
VAPID_PUBLIC_KEY: {{ $config.vapidPublicKey | quote }}
VAPID_SUBJECT: {{ $config.vapidSubject | quote }}
LOG_LEVEL: {{ $config.logLevel | quote }}
REMINDER_LATENESS_CUTOFF_MINUTES: {{ $config.reminderLatenessCutoffMinutes | quote }}
DATABASE_CONN_MAX_AGE: {{ $config.databaseConnMaxAge | quote }}
{{- range $key, $value := $config.extra }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Secret data for the chart-managed Secret and the migrate hook's copy.
*/}}
{{- define "todo.secretData" -}}
{{- $secrets := .Values.secrets -}}
DJANGO_SECRET_KEY: {{ $secrets.djangoSecretKey | b64enc | quote }}
DATABASE_URL: {{ $secrets.databaseUrl | b64enc | quote }}
VAPID_PRIVATE_KEY: {{ $secrets.vapidPrivateKey | b64enc | quote }}
KAFKA_SASL_USERNAME: {{ $secrets.kafkaSaslUsername | b64enc | quote }}
KAFKA_SASL_PASSWORD: {{ $secrets.kafkaSaslPassword | b64enc | quote }}
METRICS_TOKEN: {{ $secrets.metricsToken | b64enc | quote }}
{{- end }}

{{/*
An existing Secret's content is invisible at render time, so only its name is hashed; rotating
it needs a rollout restart (see values.yaml).
*/}}
{{- define "todo.secretChecksum" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret | sha256sum }}
{{- else }}
{{- include "todo.secretData" . | sha256sum }}
{{- end }}
{{- end }}

{{/*
Liveness, readiness and startup probes of the processes without a port: each touches
/tmp/heartbeat every turn of its loop. The check runs by path, not `-m`, so Python imports no
package (0.08 s, 12 MB instead of loading Celery through todo_project/__init__); it can still take
seconds on a busy node, hence the timeout; startup allows for the first connection to the broker.
Takes the max age in seconds.
*/}}
{{- define "todo.heartbeatProbes" -}}
{{- $exec := dict "command" (list "python" "/app/todo_project/common/heartbeat.py" "/tmp/heartbeat" "--max-age" (toString .)) -}}
startupProbe:
  exec: {{- toYaml $exec | nindent 4 }}
  periodSeconds: 10
  timeoutSeconds: 10
  failureThreshold: 30
livenessProbe:
  exec: {{- toYaml $exec | nindent 4 }}
  periodSeconds: 30
  timeoutSeconds: 10
  failureThreshold: 3
readinessProbe:
  exec: {{- toYaml $exec | nindent 4 }}
  periodSeconds: 30
  timeoutSeconds: 10
  failureThreshold: 2
{{- end }}

{{/*
Pod spec shared by the five backend Deployments and the migrate Job: one image, the command
differs. Takes a dict:
  root           the chart context ($)
  component      web | worker | beat | relay | consumer | migrate (also selects .Values.<component>)
  command        exec-form command (list)
  env            extra container env (list, optional)
  ports          container ports (list, optional)
  probes         probe YAML (string, optional)
  lifecycle      container lifecycle (dict, optional)
  configMapName  ConfigMap read with envFrom
  secretName     Secret read with envFrom
  serviceAccountName
  restartPolicy  (optional; Jobs)
*/}}
{{- define "todo.backendPodSpec" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
serviceAccountName: {{ .serviceAccountName }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .restartPolicy }}
restartPolicy: {{ . }}
{{- end }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $values.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
containers:
  - name: {{ .component }}
    image: {{ include "todo.image" (dict "root" $root "variant" "backend") }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command:
      {{- toYaml .command | nindent 6 }}
    {{- with .env }}
    env:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    envFrom:
      - configMapRef:
          name: {{ .configMapName }}
      - secretRef:
          name: {{ .secretName }}
    {{- with .ports }}
    ports:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .probes }}
    {{- . | trim | nindent 4 }}
    {{- end }}
    {{- with .lifecycle }}
    lifecycle:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml $values.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ $root.Values.tmpSizeLimit }}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
A long-running backend Deployment; takes the dict of todo.backendPodSpec without the envFrom and
service account names (the Deployments use the release's own). Optional keys:
  strategy     Deployment strategy (dict); defaults to .Values.<component>.strategy
  annotations  extra pod annotations (dict)
*/}}
{{- define "todo.backendDeployment" -}}
{{- $root := .root -}}
{{- $values := index $root.Values .component -}}
{{- $context := dict "root" $root "component" .component -}}
{{- $_ := set . "configMapName" (include "todo.fullname" $root) -}}
{{- $_ = set . "secretName" (include "todo.secretName" $root) -}}
{{- $_ = set . "serviceAccountName" (include "todo.serviceAccountName" $root) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo.componentName" $context }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "todo.labels" $context | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  revisionHistoryLimit: 3
  strategy:
    {{- toYaml (default $values.strategy .strategy) | nindent 4 }}
  selector:
    matchLabels:
      {{- include "todo.selectorLabels" $context | nindent 6 }}
  template:
    metadata:
      annotations:
        {{- $checksums := dict
          "checksum/config" (include "todo.configData" $root | sha256sum)
          "checksum/secret" (include "todo.secretChecksum" $root) }}
        {{- toYaml (merge $checksums (default (dict) $values.podAnnotations) (default (dict) $root.Values.podAnnotations) (default (dict) .annotations)) | nindent 8 }}
      labels:
        {{- include "todo.labels" $context | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- include "todo.backendPodSpec" . | nindent 6 }}
{{- end }}

{{/*
beat and relay must never run twice at once; the schema caps replicas at 1 and this check holds
even when the schema is skipped (--skip-schema-validation).
*/}}
{{- define "todo.assertSingleton" -}}
{{- $replicas := index .root.Values .component "replicas" | int }}
{{- if gt $replicas 1 }}
{{- fail (printf "%s.replicas is %d, but %s is a singleton: set it to 1 (or 0 to stop it). %s" .component $replicas .component .why) }}
{{- end }}
{{- end }}
