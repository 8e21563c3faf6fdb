# Image URL to use all building/pushing image targets
IMG ?= controller:latest
# YEAR defines the year value used for substituting the YEAR placeholder in the boilerplate header.
YEAR ?= 2026

# Get the currently used golang install path (in GOPATH/bin, unless GOBIN is set)
ifeq (,$(shell go env GOBIN))
GOBIN=$(shell go env GOPATH)/bin
else
GOBIN=$(shell go env GOBIN)
endif

# CONTAINER_TOOL defines the container tool to be used for building images.
# Be aware that the target commands are only tested with Docker which is
# scaffolded by default. However, you might want to replace it to use other
# tools. (i.e. podman)
CONTAINER_TOOL ?= docker

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

# The help target prints out all targets with their descriptions organized
# beneath their categories. The categories are represented by '##@' and the
# target descriptions by '##'. The awk command is responsible for reading the
# entire set of makefiles included in this invocation, looking for lines of the
# file as xyz: ## something, and then pretty-format the target and help. Then,
# if there's a line with ##@ something, that gets pretty-printed as a category.
# More info on the usage of ANSI control characters for terminal formatting:
# https://en.wikipedia.org/wiki/ANSI_escape_code#SGR_parameters
# More info on the awk command:
# http://linuxcommand.org/lc3_adv_awk.php

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate WebhookConfiguration, ClusterRole and CustomResourceDefinition objects.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd:generateEmbeddedObjectMeta=true webhook paths="./..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate code containing DeepCopy, DeepCopyInto, and DeepCopyObject method implementations.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt",year=$(YEAR) paths="./..."

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

# Files written by `make manifests generate`; `make test` fails when they are stale.
GENERATED = api/v1/zz_generated.deepcopy.go config/crd/bases config/rbac/role.yaml config/webhook/manifests.yaml

.PHONY: verify-generated
verify-generated: controller-gen ## Fail when `make manifests generate` would change generated files (stale or hand-edited).
	@state() { git status --porcelain --untracked-files=all -- $(GENERATED); find $(GENERATED) -type f -exec sha256sum {} + | sort; }; \
	before="$$(state)"; \
	$(MAKE) --no-print-directory manifests generate >/dev/null; \
	if [ "$$before" != "$$(state)" ]; then \
		echo "Generated files were stale; 'make manifests generate' changed:"; git status --short -- $(GENERATED); \
		echo "Commit the regenerated files."; exit 1; \
	fi

.PHONY: test
test: verify-generated fmt vet controlplane ## Run unit, envtest and end-to-end tests against the hermetic control plane.
	KUBEBUILDER_ASSETS="$(LOCALBIN)" go test $$(go list ./... | grep -v /test/e2e) -coverprofile cover.out
	$(MAKE) --no-print-directory test-e2e

.PHONY: test-e2e
test-e2e: build controlplane ## Run the end-to-end tests: bin/manager and kubectl against a local control plane.
	KUBEBUILDER_ASSETS="$(LOCALBIN)" go test -tags=e2e ./test/e2e/ -v -ginkgo.v -timeout 20m

.PHONY: bench
bench: controlplane ## Run the benchmarks of test/bench (about 12 minutes on 2 cores; BENCH=<regexp> picks some); docs/benchmarks.md records the figures.
	KUBEBUILDER_ASSETS="$(LOCALBIN)" go test ./test/bench/ -run '^$$' -bench '$(or $(BENCH),.)' -benchtime 2s -timeout 60m

.PHONY: lint
lint: golangci-lint ## Run golangci-lint linter
	"$(GOLANGCI_LINT)" run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint linter and perform fixes
	"$(GOLANGCI_LINT)" run --fix

.PHONY: lint-config
lint-config: golangci-lint ## Verify golangci-lint linter configuration
	"$(GOLANGCI_LINT)" config verify

##@ Build

.PHONY: build
build: manifests generate fmt vet build-plugin ## Build the manager binary into bin/manager (and the kubectl plugin).
	go build -o bin/manager ./cmd

.PHONY: build-plugin
build-plugin: fmt vet ## Build the kubectl plugin into bin/kubectl-imagestream (`kubectl imagestream ...` once it is on PATH).
	go build -o bin/kubectl-imagestream ./cmd/kubectl-imagestream

.PHONY: run
run: manifests generate fmt vet build ## Run the operator against the current kubeconfig; with no cluster answering, on a local control plane and registry (built once by `make controlplane`).
	@kubectl version --request-timeout=5s >/dev/null 2>&1 || $(MAKE) controlplane
	"$(LOCALBIN)/manager" --local-cluster=auto --local-cluster-bin-dir="$(LOCALBIN)" $(ARGS)

DEMO_DIR ?= $(shell echo $${TMPDIR:-/tmp})/imagestream-operator-demo
.PHONY: demo
demo: build controlplane ## Walk through the seed's story on a local control plane and registry (import, tag, alias, scheduled import, trigger rollout, rollback, local lookup); exits 0 only if every step did what it says.
	go run ./hack/demo --bin-dir="$(LOCALBIN)" --config-dir=config --dir="$(DEMO_DIR)"

# If you wish to build the manager image targeting other platforms you can use the --platform flag.
# (i.e. docker build --platform linux/arm64). However, you must enable docker buildKit for it.
# More info: https://docs.docker.com/develop/develop-images/build_enhancements/
# Override BASE_IMAGE to build from another registry, e.g.
# make docker-build IMG=<img> BASE_IMAGE=docker.io/library/golang:1.26
.PHONY: docker-build
docker-build: ## Build docker image with the manager.
	$(CONTAINER_TOOL) build $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) -t ${IMG} .

.PHONY: docker-push
docker-push: ## Push docker image with the manager.
	$(CONTAINER_TOOL) push ${IMG}

# PLATFORMS defines the target platforms for the manager image be built to provide support to multiple
# architectures. (i.e. make docker-buildx IMG=myregistry/mypoperator:0.0.1). To use this option you need to:
# - be able to use docker buildx. More info: https://docs.docker.com/build/buildx/
# - have enabled BuildKit. More info: https://docs.docker.com/develop/develop-images/build_enhancements/
# - be able to push the image to your registry (i.e. if you do not set a valid value via IMG=<myregistry/image:<tag>> then the export will fail)
# To adequately provide solutions that are compatible with multiple platforms, you should consider using this option.
PLATFORMS ?= linux/arm64,linux/amd64,linux/s390x,linux/ppc64le
.PHONY: docker-buildx
docker-buildx: ## Build and push docker image for the manager for cross-platform support
	# copy existing Dockerfile and insert --platform=${BUILDPLATFORM} into Dockerfile.cross, and preserve the original Dockerfile
	sed -e '1 s/\(^FROM\)/FROM --platform=\$$\{BUILDPLATFORM\}/; t' -e ' 1,// s//FROM --platform=\$$\{BUILDPLATFORM\}/' Dockerfile > Dockerfile.cross
	- $(CONTAINER_TOOL) buildx create --name imagestream-operator-builder
	$(CONTAINER_TOOL) buildx use imagestream-operator-builder
	- $(CONTAINER_TOOL) buildx build --push --platform=$(PLATFORMS) $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) --tag ${IMG} -f Dockerfile.cross .
	- $(CONTAINER_TOOL) buildx rm imagestream-operator-builder
	rm Dockerfile.cross

.PHONY: build-installer
build-installer: manifests generate kustomize ## Generate a consolidated YAML with CRDs and deployment.
	mkdir -p dist
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default > dist/install.yaml

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install CRDs into the K8s cluster specified in ~/.kube/config.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" apply -f -; else echo "No CRDs to install; skipping."; fi

.PHONY: uninstall
uninstall: manifests kustomize ## Uninstall CRDs from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -; else echo "No CRDs to delete; skipping."; fi

.PHONY: deploy
deploy: manifests kustomize ## Deploy controller to the K8s cluster specified in ~/.kube/config.
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" apply -f -

.PHONY: undeploy
undeploy: kustomize ## Undeploy controller from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

##@ Dependencies

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

## Tool Binaries
KUBECTL ?= kubectl
KUSTOMIZE ?= $(LOCALBIN)/kustomize
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
GOLANGCI_LINT = $(LOCALBIN)/golangci-lint

## Tool Versions
KUSTOMIZE_VERSION ?= v5.8.1
CONTROLLER_TOOLS_VERSION ?= v0.23.0

GOLANGCI_LINT_VERSION ?= v2.13.1
.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Build kustomize into bin/ (go install) if necessary.
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Build controller-gen into bin/ (go install) if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

## Hermetic control plane: etcd, kube-apiserver and kube-controller-manager built from Go
## modules (hack/tools/controlplane/go.mod pins the versions). Built once, reused afterwards;
## nothing is downloaded except Go modules, so setup-envtest is not used.
CONTROLPLANE_MODULE = hack/tools/controlplane
ETCD ?= $(LOCALBIN)/etcd
KUBE_APISERVER ?= $(LOCALBIN)/kube-apiserver
KUBE_CONTROLLER_MANAGER ?= $(LOCALBIN)/kube-controller-manager

.PHONY: controlplane
controlplane: $(ETCD) $(KUBE_APISERVER) $(KUBE_CONTROLLER_MANAGER) ## Build etcd, kube-apiserver and kube-controller-manager into bin/ (first time about 10 minutes on 2 cores).
$(ETCD): $(CONTROLPLANE_MODULE)/go.mod | $(LOCALBIN)
	$(call build-controlplane-binary,$@,go.etcd.io/etcd/server/v3)
$(KUBE_APISERVER): $(CONTROLPLANE_MODULE)/go.mod | $(LOCALBIN)
	$(call build-controlplane-binary,$@,k8s.io/kubernetes/cmd/kube-apiserver)
$(KUBE_CONTROLLER_MANAGER): $(CONTROLPLANE_MODULE)/go.mod | $(LOCALBIN)
	$(call build-controlplane-binary,$@,k8s.io/kubernetes/cmd/kube-controller-manager)

# build-controlplane-binary builds package $2 of the control-plane tool module into $1.
define build-controlplane-binary
@echo "Building $$(basename $(1)) from $(2) (once)"
cd $(CONTROLPLANE_MODULE) && go build -trimpath -ldflags='-s -w' -o "$(1).tmp" $(2)
mv "$(1).tmp" "$(1)"
endef

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint into bin/ (go install) if necessary.
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))
	@test -f .custom-gcl.yml && { \
		echo "Building custom golangci-lint with plugins..." && \
		$(GOLANGCI_LINT) custom --destination $(LOCALBIN) --name golangci-lint-custom && \
		mv -f $(LOCALBIN)/golangci-lint-custom $(GOLANGCI_LINT); \
	} || true

# go-install-tool will 'go install' any package with custom target and name of binary, if it doesn't exist
# $1 - target path with name of binary
# $2 - package url which can be installed
# $3 - specific version of package
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Downloading $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef

define gomodver
$(shell go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' $(1) 2>/dev/null)
endef
