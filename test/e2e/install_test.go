//go:build e2e

/*
Copyright 2026 The imagestream-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package e2e

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/imagestreams/imagestream-operator/test/testenv"
)

// The operator is installed as `kubectl apply -k config/default` installs it, except for its
// Deployment, which the suite replaces by bin/manager on this machine: the same Namespace,
// ServiceAccount, generated roles and bindings, and webhook configurations, these pointed at
// a loopback URL instead of the webhook Service (there is no cluster network here).
const (
	operatorNamespace      = "imagestream-operator-system"
	operatorServiceAccount = "imagestream-operator-controller-manager"
)

// installedKinds are the kinds of config/default the suite installs.
var installedKinds = map[string]bool{
	"Namespace": true, "ServiceAccount": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"Role": true, "RoleBinding": true, "MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
}

// installOperator applies the installedKinds of `kustomize build config/default` with the
// administrator's client, pointing the webhooks at https://<webhookHost>/<path>.
func installOperator(ctx context.Context, admin client.Client, webhookHost string) {
	GinkgoHelper()
	kustomize := exec.CommandContext(ctx, filepath.Join(testenv.RepoRoot(), "bin", "kustomize"), "build", "config/default")
	kustomize.Dir = testenv.RepoRoot()
	out, err := kustomize.Output()
	Expect(err).NotTo(HaveOccurred(), "bin/kustomize build config/default (make kustomize builds it)")

	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	var installed []string
	for {
		obj := &unstructured.Unstructured{}
		if err := decoder.Decode(&obj.Object); err != nil {
			Expect(err).To(MatchError(io.EOF))
			break
		}
		if !installedKinds[obj.GetKind()] {
			continue
		}
		if webhooks, found, _ := unstructured.NestedSlice(obj.Object, "webhooks"); found {
			for i, w := range webhooks {
				hook := w.(map[string]any)
				path, _, _ := unstructured.NestedString(hook, "clientConfig", "service", "path")
				Expect(path).NotTo(BeEmpty(), "webhook %s has no service path", hook["name"])
				hook["clientConfig"] = map[string]any{"url": "https://" + webhookHost + path}
				webhooks[i] = hook
			}
			Expect(unstructured.SetNestedSlice(obj.Object, webhooks, "webhooks")).To(Succeed())
		}
		Expect(admin.Create(ctx, obj)).To(Succeed(), "creating %s %s", obj.GetKind(), obj.GetName())
		installed = append(installed, obj.GetKind()+"/"+obj.GetName())
	}
	Expect(installed).To(ContainElements(
		"ServiceAccount/"+operatorServiceAccount,
		"ClusterRole/imagestream-operator-manager-role",
		"Role/imagestream-operator-manager-role",
		"Role/imagestream-operator-leader-election-role",
		"MutatingWebhookConfiguration/imagestream-operator-mutating-webhook-configuration",
		"ValidatingWebhookConfiguration/imagestream-operator-validating-webhook-configuration",
	))
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the operator's
// ServiceAccount with a token from the TokenRequest API, as a pod's projected token does.
func serviceAccountKubeconfig(ctx context.Context, adminCfg *rest.Config, path string) {
	GinkgoHelper()
	clientset, err := kubernetes.NewForConfig(adminCfg)
	Expect(err).NotTo(HaveOccurred())
	token, err := clientset.CoreV1().ServiceAccounts(operatorNamespace).CreateToken(ctx, operatorServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	config := clientcmdapi.NewConfig()
	config.Clusters["e2e"] = &clientcmdapi.Cluster{Server: adminCfg.Host, CertificateAuthorityData: adminCfg.CAData}
	config.AuthInfos["operator"] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	config.Contexts["operator"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "operator", Namespace: operatorNamespace}
	config.CurrentContext = "operator"
	Expect(clientcmd.WriteToFile(*config, path)).To(Succeed())
}

// syncBuffer is an output buffer that the manager process and the test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
