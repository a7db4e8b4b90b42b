package synth

import "text/template"

// parseTemplates returns the file templates. They are parsed per
// generator rather than held in a package variable, which costs
// microseconds against the milliseconds spent writing files.
func parseTemplates() *template.Template {
	t := template.New("synth").Option("missingkey=error")
	for _, tt := range []struct{ name, text string }{
		{"base", baseKustomization},
		{"deployment", deployment},
		{"service", service},
		{"configmap", configMap},
		{"serviceaccount", serviceAccount},
		{"hpa", hpa},
		{"pdb", pdb},
		{"ingress", ingress},
		{"overlay", overlayKustomization},
		{"patch", overlayPatch},
		{"env", envFile},
		{"ingress-host", ingressHost},
		{"component", componentKustomization},
		{"sidecar", sidecarPatch},
		{"cluster", clusterKustomization},
	} {
		template.Must(t.New(tt.name).Parse(tt.text))
	}
	return t
}

const baseKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/part-of: shop
resources:
{{- if .Account}}
  - serviceaccount.yaml
{{- end}}
  - configmap.yaml
  - deployment.yaml
  - service.yaml
{{- if .HPA}}
  - hpa.yaml
{{- end}}
{{- if .PDB}}
  - pdb.yaml
{{- end}}
{{- if .Ingress}}
  - ingress.yaml
{{- end}}
configMapGenerator:
  - name: {{.Name}}-settings
    literals:
      - LOG_FORMAT=json
      - HTTP_PORT={{.Port}}
`

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
    app.kubernetes.io/component: server
spec:
  replicas: 1
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {{.Name}}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{.Name}}
        app.kubernetes.io/component: server
    spec:
{{- if .Account}}
      serviceAccountName: {{.Name}}
{{- end}}
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: {{.Image}}:1.0.0
          imagePullPolicy: IfNotPresent
          args:
            - --listen=:{{.Port}}
            - --config=/etc/{{.Name}}/app.yaml
          ports:
            - name: http
              containerPort: {{.Port}}
              protocol: TCP
          env:
            - name: APP_NAME
              value: {{.Name}}
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          envFrom:
            - configMapRef:
                name: {{.Name}}-settings
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 20
            failureThreshold: 3
          resources:
            requests:
              cpu: {{.CPU}}m
              memory: {{.MemoryMi}}Mi
            limits:
              memory: {{.MemoryMi}}Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
          volumeMounts:
            - name: config
              mountPath: /etc/{{.Name}}
              readOnly: true
            - name: tmp
              mountPath: /tmp
{{- if .Proxy}}
        - name: proxy
          image: registry.example.com/platform/envoy:1.34.1
          imagePullPolicy: IfNotPresent
          args:
            - --config-path=/etc/envoy/envoy.yaml
          ports:
            - name: admin
              containerPort: 9901
              protocol: TCP
          readinessProbe:
            tcpSocket:
              port: admin
            periodSeconds: 10
          resources:
            requests:
              cpu: 25m
              memory: 32Mi
            limits:
              memory: 64Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
          volumeMounts:
            - name: config
              mountPath: /etc/envoy
              readOnly: true
{{- end}}
      volumes:
        - name: config
          configMap:
            name: {{.Name}}-files
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {{.Name}}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
`

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{.Name}}-files
  labels:
    app.kubernetes.io/name: {{.Name}}
data:
  app.yaml: |
    server:
      port: {{.Port}}
      shutdownDelay: 5s
    upstream:
      name: {{.Upstream}}
      timeout: 2s
{{- if .Proxy}}
  envoy.yaml: |
    admin:
      address:
        socket_address: {address: 0.0.0.0, port_value: 9901}
{{- end}}
`

const serviceAccount = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
automountServiceAccountToken: false
`

const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{.Name}}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`

const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {{.Name}}
`

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{.Name}}
  labels:
    app.kubernetes.io/name: {{.Name}}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  rules:
    - host: {{.Name}}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{.Name}}
                port:
                  name: http
`

// The overlay uses each way kustomize has of changing a base: images,
// replicas, a merged generator, a strategic merge patch file, an inline
// JSON 6902 patch and, for apps with an Ingress, a JSON 6902 patch file.
const overlayKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {{.App.Name}}
resources:
  - ../../base
{{- with .Components}}
components:
{{- range .}}
  - {{.}}
{{- end}}
{{- end}}
labels:
  - pairs:
      app.kubernetes.io/environment: {{.Env}}
    includeTemplates: true
images:
  - name: {{.App.Image}}
    newTag: {{.Tag}}
replicas:
  - name: {{.App.Name}}
    count: {{.Replicas}}
configMapGenerator:
  - name: {{.App.Name}}-settings
    behavior: merge
    envs:
      - .env
patches:
  - path: patch.yaml
  - target:
      group: apps
      version: v1
      kind: Deployment
      name: {{.App.Name}}
    patch: |-
      - op: replace
        path: /spec/template/spec/terminationGracePeriodSeconds
        value: {{.Grace}}
      - op: add
        path: /spec/minReadySeconds
        value: 10
{{- if .App.Ingress}}
  - path: ingress-host.yaml
    target:
      group: networking.k8s.io
      version: v1
      kind: Ingress
      name: {{.App.Name}}
{{- end}}
`

const overlayPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{.App.Name}}
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: DEPLOY_ENV
              value: {{.Env}}
          resources:
            requests:
              cpu: {{.CPU}}m
              memory: {{.MemoryMi}}Mi
            limits:
              memory: {{.MemoryMi}}Mi
`

const envFile = `LOG_LEVEL={{.LogLevel}}
FEATURE_X={{.Feature}}
CACHE_TTL_SECONDS={{.CacheTTL}}
REQUEST_TIMEOUT=5s
UPSTREAM_URL=http://{{.App.Upstream}}.{{.App.Upstream}}.svc.cluster.local
`

const ingressHost = `- op: replace
  path: /spec/rules/0/host
  value: {{.App.Name}}.{{.Env}}.example.com
`

const componentKustomization = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
{{- if .IsMonitoring}}
patches:
  - path: sidecar.yaml
    target:
      group: apps
      version: v1
      kind: Deployment
{{- else if .IsMetadata}}
labels:
  - pairs:
      example.com/cost-center{{.Suffix}}: cc-{{.Ordinal}}
commonAnnotations:
  example.com/owner{{.Suffix}}: platform-team
{{- else}}
patches:
  - target:
      group: apps
      version: v1
      kind: Deployment
    patch: |-
      - op: add
        path: /spec/template/spec/securityContext
        value:
          runAsNonRoot: true
          runAsUser: 10001
          fsGroup: 10001
          seccompProfile:
            type: RuntimeDefault
      - op: add
        path: /spec/template/spec/automountServiceAccountToken
        value: false
{{- end}}
`

// The patch names a Deployment only because strategic merge patches need
// an identity; the component's target selects every Deployment instead.
const sidecarPatch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "{{.MetricsPort}}"
    spec:
      containers:
        - name: metrics-exporter{{.Suffix}}
          image: registry.example.com/platform/metrics-exporter:0.9.1
          imagePullPolicy: IfNotPresent
          args:
            - --listen=:{{.MetricsPort}}
          ports:
            - name: metrics{{.Suffix}}
              containerPort: {{.MetricsPort}}
              protocol: TCP
          resources:
            requests:
              cpu: 10m
              memory: 16Mi
            limits:
              memory: 32Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
`

const clusterKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
{{- range .Overlays}}
  - {{.}}
{{- end}}
`
