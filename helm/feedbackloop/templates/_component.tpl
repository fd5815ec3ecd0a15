{{/*
Everything one service runs as: ConfigMap (its config file), Deployment,
Service, HorizontalPodAutoscaler, PodDisruptionBudget and (optionally)
ServiceMonitor. Called from templates/<service>.yaml with
  (dict "root" $ "name" "<service>" "producer" bool
        "taxonomy" bool "alertRules" bool "keyring" bool "notifierSecret" bool)
*/}}
{{- define "feedbackloop.component" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $svc := index $root.Values.services $name -}}
{{- if $svc.enabled -}}
{{- $fullname := include "feedbackloop.componentName" . -}}
{{- $config := include "feedbackloop.config" . -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}-config
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
data:
  config.yaml: |
    {{- $config | nindent 4 }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
spec:
  {{- if not $svc.autoscaling.enabled }}
  replicas: {{ $svc.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "feedbackloop.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "feedbackloop.selectorLabels" . | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # A changed config file rolls the pods; taxonomy and rule changes do
        # not: the services reload those files live.
        checksum/config: {{ $config | sha256sum }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "feedbackloop.serviceAccountName" $root }}
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      containers:
        - name: {{ $name }}
          image: {{ include "feedbackloop.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ $name | quote }}, "--config", "/etc/feedbackloop/config/config.yaml"]
          ports:
            - name: grpc
              containerPort: {{ $svc.grpcPort }}
              protocol: TCP
            - name: metrics
              containerPort: {{ $svc.metricsPort }}
              protocol: TCP
          {{- if or $root.Values.redis.passwordSecret.name $svc.extraEnv }}
          env:
            {{- if $root.Values.redis.passwordSecret.name }}
            - name: FBL__REDIS__PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $root.Values.redis.passwordSecret.name }}
                  key: {{ $root.Values.redis.passwordSecret.key }}
            {{- end }}
            {{- with $svc.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- if and .notifierSecret (or $root.Values.secrets.notifier.existingSecret $root.Values.secrets.notifier.values) }}
          envFrom:
            - secretRef:
                name: {{ include "feedbackloop.notifierSecretName" $root }}
          {{- end }}
          startupProbe:
            grpc:
              port: {{ $svc.grpcPort }}
            {{- toYaml $root.Values.probes.startup | nindent 12 }}
          readinessProbe:
            grpc:
              port: {{ $svc.grpcPort }}
            {{- toYaml $root.Values.probes.readiness | nindent 12 }}
          livenessProbe:
            grpc:
              port: {{ $svc.grpcPort }}
            {{- toYaml $root.Values.probes.liveness | nindent 12 }}
          resources:
            {{- toYaml $svc.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: config
              mountPath: /etc/feedbackloop/config
              readOnly: true
            - name: tmp
              mountPath: /tmp
            {{- if .taxonomy }}
            - name: taxonomy
              mountPath: /etc/feedbackloop/taxonomy
              readOnly: true
            {{- end }}
            {{- if .alertRules }}
            - name: alert-rules
              mountPath: /etc/feedbackloop/rules
              readOnly: true
            {{- end }}
            {{- if .keyring }}
            - name: keyring
              mountPath: /etc/feedbackloop/keyring
              readOnly: true
            {{- end }}
      volumes:
        - name: config
          configMap:
            name: {{ $fullname }}-config
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        {{- if .taxonomy }}
        # Mounted as a directory (no subPath) so ConfigMap updates reach the pod.
        - name: taxonomy
          configMap:
            name: {{ include "feedbackloop.fullname" $root }}-taxonomy
        {{- end }}
        {{- if .alertRules }}
        - name: alert-rules
          configMap:
            name: {{ include "feedbackloop.fullname" $root }}-red-alert-rules
        {{- end }}
        {{- if .keyring }}
        - name: keyring
          secret:
            secretName: {{ include "feedbackloop.keyringSecretName" $root }}
            # Owner root, group fsGroup: readable by the service user only.
            defaultMode: 0440
            items:
              - key: {{ $root.Values.secrets.keyring.key }}
                path: keyring
        {{- end }}
      {{- if $root.Values.topologySpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: {{ $root.Values.topologySpread.maxSkew }}
          topologyKey: {{ $root.Values.topologySpread.topologyKey }}
          whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "feedbackloop.selectorLabels" . | nindent 14 }}
      {{- end }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "feedbackloop.selectorLabels" . | nindent 4 }}
  ports:
    - name: grpc
      port: {{ $svc.grpcPort }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    - name: metrics
      port: {{ $svc.metricsPort }}
      targetPort: metrics
      protocol: TCP
      appProtocol: http
{{- if $svc.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $fullname }}
  minReplicas: {{ $svc.autoscaling.minReplicas }}
  maxReplicas: {{ $svc.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $svc.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- if $svc.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
spec:
  {{- if hasKey $svc.podDisruptionBudget "minAvailable" }}
  minAvailable: {{ $svc.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $svc.podDisruptionBudget.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "feedbackloop.selectorLabels" . | nindent 6 }}
{{- end }}
{{- if $root.Values.metrics.serviceMonitor.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "feedbackloop.componentLabels" . | nindent 4 }}
    {{- with $root.Values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "feedbackloop.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: metrics
      path: /metrics
      interval: {{ $root.Values.metrics.serviceMonitor.interval }}
      scrapeTimeout: {{ $root.Values.metrics.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end }}
{{- end -}}
