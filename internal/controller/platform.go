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

package controller

import (
	"context"
	"runtime"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/imagestreams/imagestream-operator/internal/registry"
)

// controlPlaneLabel marks control-plane nodes.
const controlPlaneLabel = "node-role.kubernetes.io/control-plane"

// +kubebuilder:rbac:groups="",resources=nodes,verbs=list

// ControlPlanePlatform is the platform Legacy imports of manifest lists prefer when a tag
// names none: the OS and architecture the cluster's control-plane nodes report, else the
// operator's own.
func ControlPlanePlatform(ctx context.Context, reader client.Reader) registry.Platform {
	nodes := &corev1.NodeList{}
	if err := reader.List(ctx, nodes, client.HasLabels{controlPlaneLabel}, client.Limit(1)); err == nil && len(nodes.Items) > 0 {
		info := nodes.Items[0].Status.NodeInfo
		if info.OperatingSystem != "" && info.Architecture != "" {
			return registry.Platform{OS: info.OperatingSystem, Architecture: info.Architecture}
		}
	}
	return registry.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}
}
