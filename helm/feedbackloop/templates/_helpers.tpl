{{/* Names and labels. */}}

{{- define "feedbackloop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "feedbackloop.fullname" -}}
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

{{/* Name of one component's objects: (dict "root" $ "name" "intake"). */}}
{{- define "feedbackloop.componentName" -}}
{{- printf "%s-%s" (include "feedbackloop.fullname" .root | trunc 50 | trimSuffix "-") .name -}}
{{- end -}}

{{- define "feedbackloop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "feedbackloop.labels" -}}
helm.sh/chart: {{ include "feedbackloop.chart" . }}
app.kubernetes.io/name: {{ include "feedbackloop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: feedbackloop
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" "intake"). */}}
{{- define "feedbackloop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "feedbackloop.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "feedbackloop.componentLabels" -}}
{{ include "feedbackloop.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "feedbackloop.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "feedbackloop.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "feedbackloop.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "feedbackloop.keyringSecretName" -}}
{{- default (printf "%s-keyring" (include "feedbackloop.fullname" .)) .Values.secrets.keyring.existingSecret -}}
{{- end -}}

{{- define "feedbackloop.notifierSecretName" -}}
{{- default (printf "%s-notifier" (include "feedbackloop.fullname" .)) .Values.secrets.notifier.existingSecret -}}
{{- end -}}

{{/*
One service's config file: the values' `config` with the parts the chart
owns laid over it (ports, log level, Kafka, Redis, paths of mounted data).
Args: (dict "root" $ "name" "classification" "producer" true
            "taxonomy" false "alertRules" false "keyring" false)
*/}}
{{- define "feedbackloop.config" -}}
{{- $root := .root -}}
{{- $svc := index $root.Values.services .name -}}
{{- $cfg := deepCopy (default (dict) $svc.config) -}}
{{- $server := dict
      "grpc_listen" (printf "0.0.0.0:%d" (int $svc.grpcPort))
      "metrics_listen" (printf "0.0.0.0:%d" (int $svc.metricsPort))
      "log_level" (default $root.Values.logLevel $svc.logLevel)
      "drain_timeout" $root.Values.drainTimeout -}}
{{- $redis := dict "host" (required "redis.host is required" $root.Values.redis.host) "port" (int $root.Values.redis.port) "db" (int $root.Values.redis.db) -}}
{{- $owned := dict "server" $server "kafka_brokers" (required "kafka.brokers is required" $root.Values.kafka.brokers) "redis" $redis -}}
{{- if $root.Values.kafka.extra -}}
{{- $_ := set $owned "consumer" (dict "extra" $root.Values.kafka.extra) -}}
{{- if .producer -}}
{{- $_ := set $owned "producer" (dict "extra" $root.Values.kafka.extra) -}}
{{- end -}}
{{- end -}}
{{- if .taxonomy -}}
{{- $_ := set $owned "taxonomy_file" "/etc/feedbackloop/taxonomy/taxonomy.yaml" -}}
{{- end -}}
{{- if .alertRules -}}
{{- $_ := set $owned "rules_file" "/etc/feedbackloop/rules/red_alert.yaml" -}}
{{- end -}}
{{- if .keyring -}}
{{- $_ := set $owned "keyring_file" "/etc/feedbackloop/keyring/keyring" -}}
{{- end -}}
{{- toYaml (mergeOverwrite $cfg $owned) -}}
{{- end -}}
