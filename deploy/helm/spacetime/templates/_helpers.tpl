{{- define "spacetime.labels" -}}
app.kubernetes.io/name: spacetime
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "spacetime.selector" -}}
app.kubernetes.io/name: spacetime
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: game
{{- end -}}

{{- define "spacetime.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1654
runAsGroup: 1654
fsGroup: 1654
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "spacetime.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
