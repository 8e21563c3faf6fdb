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

package notification

import (
	"flag"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
)

// parse returns the Flags that args set.
func parse(t *testing.T, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	f := &Flags{}
	f.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	f.RegistryHostnames = []string{"registry.local:5000"}
	return f
}

func TestFlags(t *testing.T) {
	g := NewWithT(t)
	g.Expect(parse(t).Enabled()).To(BeFalse(), "off by default")
	g.Expect(parse(t, "--notification-bind-address=:8444").Enabled()).To(BeTrue())

	opts, err := parse(t, "--notification-bind-address=:8444", "--notification-cert-path=/certs",
		"--notification-token-secret=registry-token").Complete(nil, "operators")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.Token).NotTo(BeNil())
	g.Expect(opts.MaxBodyBytes).To(Equal(DefaultMaxBodyBytes))

	_, err = parse(t, "--notification-bind-address=:8444", "--notification-cert-path=/certs").Complete(nil, "operators")
	g.Expect(err).To(MatchError(ContainSubstring("no token: set --notification-token-file or --notification-token-secret")))
	_, err = parse(t, "--notification-bind-address=:8444", "--notification-token-file=/token").Complete(nil, "operators")
	g.Expect(err).To(MatchError(ContainSubstring("no serving certificate: set --notification-cert-path, or --notification-allow-http")))
	_, err = parse(t, "--notification-bind-address=:8444", "--notification-allow-http",
		"--notification-token-file=/token", "--notification-token-secret=x").Complete(nil, "operators")
	g.Expect(err).To(MatchError(ContainSubstring("set one of --notification-token-file and --notification-token-secret, not both")))
	f := parse(t, "--notification-bind-address=:8444", "--notification-allow-http", "--notification-token-file=/token")
	f.RegistryHostnames = []string{"", ""}
	_, err = f.Complete(nil, "operators")
	g.Expect(err).To(MatchError(ContainSubstring("push notifications need --registry-hostname")))
}

func TestSecretKey(t *testing.T) {
	g := NewWithT(t)
	key, err := secretKey("token", "operators")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(key).To(Equal(types.NamespacedName{Namespace: "operators", Name: "token"}))
	key, err = secretKey("registry/token", "operators")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(key).To(Equal(types.NamespacedName{Namespace: "registry", Name: "token"}))
	_, err = secretKey("token", "")
	g.Expect(err).To(MatchError(ContainSubstring("names no namespace and POD_NAMESPACE is not set: write it as <namespace>/<name>")))
	_, err = secretKey("Token_1", "operators")
	g.Expect(err).To(MatchError(ContainSubstring("invalid Secret name")))
}
