{{/* Common labels of every object (with the selector labels, which add the instance, or with "heartbeat.instance"). */}}
{{- define "heartbeat.labels" -}}
app.kubernetes.io/part-of: heartbeat
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Common labels of an object without a component. */}}
{{- define "heartbeat.instanceLabels" -}}
{{ include "heartbeat.labels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The selector labels of one component: (dict "root" $ "name" "device-registry-service") */}}
{{- define "heartbeat.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The MQTT broker's host. */}}
{{- define "heartbeat.mqttHost" -}}
{{- if .Values.mqtt.host -}}
{{ .Values.mqtt.host }}
{{- else -}}
hivemq
{{- end -}}
{{- end -}}

{{/* One probe: (dict "root" $ "svc" $svc "path" "ready" "settings" .Values.probes.readiness) */}}
{{- define "heartbeat.probe" -}}
{{- if eq .root.Values.image.flavor "native" }}
exec:
  command: ["/usr/local/bin/hb", "probe", "http://127.0.0.1:{{ .svc.port }}/q/health/{{ .path }}"]
{{- else }}
httpGet:
  path: /q/health/{{ .path }}
  port: http
{{- end }}
periodSeconds: {{ .settings.periodSeconds }}
failureThreshold: {{ .settings.failureThreshold }}
timeoutSeconds: 3
{{- end -}}
