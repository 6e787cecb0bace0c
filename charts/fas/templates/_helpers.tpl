{{/* Chart name, truncated to the 63 characters DNS names allow. */}}
{{- define "fas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name: the release name alone when it already contains the chart name. */}}
{{- define "fas.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "fas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "fas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fas.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fas.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Label that lets a pod through the NetworkPolicy (the helm test pod carries it). */}}
{{/* The Secret holding the tokens file: the user's, or the chart's. */}}
{{- define "fas.authSecretName" -}}
{{- default (printf "%s-auth" (include "fas.fullname" .)) .Values.auth.tokens.existingSecret -}}
{{- end -}}

{{/* Whether the helm test has a token: the chart's helm-test client, or tests.tokenSecret. */}}
{{- define "fas.testTokenRef" -}}
{{- if and .Values.auth.tokens.enabled (not .Values.auth.tokens.existingSecret) .Values.auth.tokens.helmTestClient -}}
name: {{ include "fas.authSecretName" . }}
key: helm-test-token
{{- else if .Values.tests.tokenSecret.name -}}
name: {{ .Values.tests.tokenSecret.name }}
key: {{ .Values.tests.tokenSecret.key }}
{{- end -}}
{{- end -}}

{{/* Where FAS finds what it presents to the service-account issuer: its own token and the cluster's CA. */}}
{{- define "fas.issuerAccessDir" -}}/var/run/secrets/fas-issuer{{- end -}}
{{- define "fas.issuerAccess" -}}
{{- if and .Values.auth.serviceAccounts.enabled .Values.auth.serviceAccounts.issuerDiscoveryAccess }}true{{ end -}}
{{- end -}}

{{- define "fas.clientLabel" -}}
{{ include "fas.fullname" . }}-client: "true"
{{- end -}}

{{/* MongoDB mode: replicaset (bitnami mongodb), sharded (bitnami mongodb-sharded) or external. */}}
{{- define "fas.mongodbMode" -}}
{{- $replicaset := .Values.mongodb.enabled -}}
{{- $sharded := index .Values "mongodb-sharded" "enabled" -}}
{{- $external := or .Values.externalMongodb.uri .Values.externalMongodb.existingSecret.name -}}
{{- if gt (len (compact (list $replicaset $sharded $external))) 1 -}}
{{- fail "MongoDB: enable exactly one mode - mongodb.enabled (replica set), mongodb-sharded.enabled, or externalMongodb (uri or existingSecret.name, with both subcharts disabled)" -}}
{{- else if $replicaset -}}replicaset
{{- else if $sharded -}}sharded
{{- else if $external -}}external
{{- else -}}
{{- fail "MongoDB: with mongodb.enabled=false and mongodb-sharded.enabled=false, set externalMongodb.uri or externalMongodb.existingSecret.name" -}}
{{- end -}}
{{- end -}}

{{/*
A bitnami subchart's fullname as its common.names.fullname computes it from the release name and the
subchart's nameOverride/fullnameOverride, so names follow any release. Call with (dict "chart" NAME "context" $).
*/}}
{{- define "fas.subchartFullname" -}}
{{- $values := index .context.Values .chart -}}
{{- if $values.fullnameOverride -}}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .chart $values.nameOverride -}}
{{- $release := regexReplaceAll "(-?[^a-z\\d\\-])+-?" (lower .context.Release.Name) "-" -}}
{{- if contains $name $release -}}
{{- $release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $release $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The bundled MongoDB's values, hosts and query string for the current mode. Replica set: every member by
its stable pod DNS name under the headless Service (<fullname>-<i>.<fullname>-headless), as the mongodb
chart names them, so the driver discovers the primary. Sharded: the mongos Service (<fullname>).
*/}}
{{- define "fas.bundledMongodb" -}}
{{- $mode := include "fas.mongodbMode" . -}}
{{- if eq $mode "replicaset" -}}
{{- $v := .Values.mongodb -}}
{{- $fullname := include "fas.subchartFullname" (dict "chart" "mongodb" "context" .) -}}
{{- $service := dig "service" "nameOverride" "" $v | default (printf "%s-headless" $fullname) -}}
{{- $namespace := dig "namespaceOverride" "" (.Values.global | default dict) | default .Release.Namespace -}}
{{- /* Pod DNS names skip the Service, so the port is the one the pods listen on. */ -}}
{{- $port := dig "containerPorts" "mongodb" 27017 $v -}}
{{- $domain := dig "clusterDomain" "cluster.local" $v -}}
{{- $hosts := list -}}
{{- range $i := until (int (dig "replicaCount" 1 $v)) -}}
{{- $hosts = append $hosts (printf "%s-%d.%s.%s.svc.%s:%v" $fullname $i $service $namespace $domain $port) -}}
{{- end -}}
{{- toYaml (dict "values" $v "fullname" $fullname "hosts" (join "," $hosts) "query" (printf "replicaSet=%s&authSource=admin" (dig "replicaSetName" "rs0" $v))) -}}
{{- else if eq $mode "sharded" -}}
{{- $v := index .Values "mongodb-sharded" -}}
{{- $fullname := include "fas.subchartFullname" (dict "chart" "mongodb-sharded" "context" .) -}}
{{- $service := dig "service" "name" "" $v | default $fullname -}}
{{- $namespace := dig "namespaceOverride" "" $v | default .Release.Namespace -}}
{{- $port := dig "service" "ports" "mongodb" 27017 $v -}}
{{- $domain := dig "clusterDomain" "cluster.local" $v -}}
{{- toYaml (dict "values" $v "fullname" $fullname "hosts" (printf "%s.%s.svc.%s:%v" $service $namespace $domain $port) "query" "authSource=admin") -}}
{{- end -}}
{{- end -}}

{{/*
Container env that yields MONGODB_URI. Bundled modes read the root password from the subchart's Secret
(<fullname>, or auth.existingSecret; key mongodb-root-password) and let Kubernetes expand it into the URI,
so the password never lands in this chart's objects. External mode reads the whole URI from a Secret.
*/}}
{{- define "fas.mongodbEnv" -}}
{{- $mode := include "fas.mongodbMode" . -}}
{{- if eq $mode "external" -}}
- name: MONGODB_URI
  valueFrom:
    secretKeyRef:
      {{- if .Values.externalMongodb.existingSecret.name }}
      name: {{ .Values.externalMongodb.existingSecret.name }}
      key: {{ .Values.externalMongodb.existingSecret.key }}
      {{- else }}
      name: {{ include "fas.fullname" . }}
      key: mongodb-uri
      {{- end }}
{{- else -}}
{{- $db := include "fas.bundledMongodb" . | fromYaml -}}
{{- $auth := $db.values.auth | default dict -}}
{{- if ne (toString $auth.enabled) "false" -}}
- name: MONGODB_ROOT_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ tpl (default $db.fullname $auth.existingSecret) . }}
      key: mongodb-root-password
- name: MONGODB_URI
  value: {{ printf "mongodb://%s:$(MONGODB_ROOT_PASSWORD)@%s/?%s" (default "root" $auth.rootUser | urlquery) $db.hosts $db.query | quote }}
{{- else -}}
- name: MONGODB_URI
  value: {{ printf "mongodb://%s/?%s" $db.hosts $db.query | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Grace period: the app's own shutdown (delay + drain timeout) plus any preStop sleep and a margin. */}}
{{- define "fas.minimumGraceSeconds" -}}
{{- $shutdownMs := add (int .Values.config.shutdownDelayMs) (int .Values.config.shutdownTimeoutMs) -}}
{{- add (int .Values.preStopSleepSeconds) (div (add $shutdownMs 999) 1000) -}}
{{- end -}}

{{- define "fas.terminationGracePeriodSeconds" -}}
{{- $minimum := int (include "fas.minimumGraceSeconds" .) -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $minimum (int .Values.terminationGraceMarginSeconds) -}}
{{- else if le (int .Values.terminationGracePeriodSeconds) $minimum -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + (config.shutdownDelayMs + config.shutdownTimeoutMs)/1000 = %d, or the kubelet kills pods before they drain" .Values.terminationGracePeriodSeconds $minimum) -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}

{{/* The headless Service listing the ready pods, for the members to find each other. */}}
{{- define "fas.membersServiceName" -}}
{{- printf "%s-members" (include "fas.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fas.membersDnsName" -}}
{{- printf "%s.%s.svc.%s" (include "fas.membersServiceName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}
