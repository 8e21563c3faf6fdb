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

// Command bundle writes the operator's OLM bundle (bundle/manifests, bundle/metadata and
// bundle.Dockerfile) from the output of `kustomize build config/manifests`, read from
// standard input: what `operator-sdk generate bundle` does, for this operator's layout,
// without operator-sdk. The output depends only on its input and flags, so `make bundle`
// run twice writes the same bytes. The tests of this package validate the committed bundle
// with operator-framework/api.
//
//	bin/kustomize build config/manifests | go -C hack/tools/bundle run . \
//	    --version 0.1.0 --image ghcr.io/imagestreams/imagestream-operator:v0.1.0 \
//	    --output-dir "$PWD/bundle" --dockerfile "$PWD/bundle.Dockerfile"
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
}

// run parses the flags, generates the bundle and writes it.
func run() error {
	var opts Options
	var channels, icon, outputDir, dockerfilePath string
	flag.StringVar(&opts.Package, "package", "imagestream-operator", "OLM package name; the CSV is named <package>.v<version>.")
	flag.StringVar(&opts.Version, "version", "", "Operator version (semver, no leading v).")
	flag.StringVar(&opts.Image, "image", "", "Manager image the CSV's deployment runs.")
	flag.StringVar(&channels, "channels", "candidate", "Comma-separated channels of the bundle.")
	flag.StringVar(&opts.DefaultChannel, "default-channel", "", "Default channel of the package; the first of --channels when empty.")
	flag.StringVar(&icon, "icon", "", "SVG file used as the operator's icon.")
	flag.StringVar(&outputDir, "output-dir", "bundle", "Bundle directory; its manifests/ and metadata/ are replaced.")
	flag.StringVar(&dockerfilePath, "dockerfile", "bundle.Dockerfile", "Where the bundle image's Dockerfile is written.")
	flag.Parse()

	for _, c := range strings.Split(channels, ",") {
		if c = strings.TrimSpace(c); c != "" {
			opts.Channels = append(opts.Channels, c)
		}
	}
	if icon != "" {
		data, err := os.ReadFile(icon)
		if err != nil {
			return fmt.Errorf("reading icon: %w", err)
		}
		opts.Icon = data
	}
	objs, err := Decode(os.Stdin)
	if err != nil {
		return fmt.Errorf("reading kustomize output: %w", err)
	}
	b, err := Generate(objs, opts)
	if err != nil {
		return err
	}
	return b.Write(outputDir, dockerfilePath)
}
