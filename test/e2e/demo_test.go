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
	"context"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagestreams/imagestream-operator/test/testenv"
)

var _ = Describe("make demo", func() {
	It("walks through every step of the seed's story on its own local cluster and exits 0", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		root := testenv.RepoRoot()
		cmd := exec.CommandContext(ctx, "go", "run", "./hack/demo",
			"--bin-dir="+filepath.Join(root, "bin"), "--config-dir="+filepath.Join(root, "config"), "--dir="+GinkgoT().TempDir())
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		GinkgoWriter.Printf("%s", out)
		Expect(err).NotTo(HaveOccurred(), "the demo failed:\n%s", out)
		Expect(string(out)).To(ContainSubstring("All 8 steps did what they said"))
		Expect(string(out)).To(ContainSubstring("Stopped the operator, the control plane and the registry."))
	})
})
