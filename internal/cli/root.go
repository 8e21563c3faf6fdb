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

// Package cli implements the kubectl plugin `kubectl imagestream`: oc's image stream
// commands (tag, import, describe, get, history, rollback, set triggers) on top of the
// image.imagestreams.io/v1 API. Formatting and argument parsing are pure functions of this
// package; the commands only read and write objects through the API server.
//
// The virtual kinds of virtual.go are not served by any API server: the marker below keeps
// controller-gen from generating CRDs for them.
//
// +kubebuilder:skip
package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

// pluginScheme holds the types the plugin reads and writes.
var pluginScheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(pluginScheme))
	utilruntime.Must(imagev1.AddToScheme(pluginScheme))
}

// Clock returns the current time; describe and get print times relative to it.
type Clock func() time.Time

// Options are shared by every command: how to reach the cluster, where to write.
type Options struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
	// Now is the clock used for relative times.
	Now Clock
}

// client returns an API client and the namespace the command works in (-n, or the
// kubeconfig context's namespace).
func (o *Options) client() (client.Client, string, error) {
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	c, err := client.New(cfg, client.Options{Scheme: pluginScheme})
	if err != nil {
		return nil, "", fmt.Errorf("connecting to the API server: %w", err)
	}
	ns, _, err := o.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	return c, ns, nil
}

const rootLong = `Manage image streams the way OpenShift's oc does, on any Kubernetes cluster running the
imagestream-operator.

An image stream (kind ImageStream, short name "is") gives names to container images: each
tag points to an image by digest and keeps the history of the images it pointed to. The
operator imports tags from registries, follows tags of other streams, and updates workloads
whose image change triggers name a tag. People who know "oc" can type the same commands
with "kubectl imagestream" in front: tag, import (import-image), describe, get, history,
rollback, set triggers, set image-lookup and prune (oc adm prune images); convert rewrites
OpenShift YAML for this operator.`

const rootExample = `  # Import busybox:latest from Docker Hub into a new stream "busybox"
  kubectl imagestream import busybox --from=docker.io/library/busybox:latest --confirm

  # Make python:latest point to the image python:3.12 points to now
  kubectl imagestream tag python:3.12 python:latest

  # Show the tags of a stream and their history
  kubectl imagestream describe is python`

// NewCommand returns the root command of the plugin, writing to streams.
func NewCommand(streams genericiooptions.IOStreams) *cobra.Command {
	return newCommand(streams, time.Now)
}

// newCommand returns the root command with the clock relative times are computed from.
func newCommand(streams genericiooptions.IOStreams, now Clock) *cobra.Command {
	o := &Options{
		ConfigFlags: genericclioptions.NewConfigFlags(true),
		IOStreams:   streams,
		Now:         now,
	}
	cmd := &cobra.Command{
		Use:           "kubectl-imagestream",
		Short:         "Tag, import, describe and roll back image streams",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl imagestream",
		},
	}
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	o.ConfigFlags.AddFlags(cmd.PersistentFlags())
	cmd.SetUsageTemplate(usageTemplate)
	cmd.AddCommand(
		newTagCommand(o),
		newImportCommand(o),
		newDescribeCommand(o),
		newGetCommand(o),
		newHistoryCommand(o),
		newRollbackCommand(o),
		newSetCommand(o),
		newConvertCommand(o),
		newPruneCommand(o),
		newOptionsCommand(o),
	)
	return cmd
}

// Execute runs the plugin with args and returns its error; main prints it as kubectl does.
func Execute(ctx context.Context, streams genericiooptions.IOStreams, args []string) error {
	cmd := NewCommand(streams)
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

// PrintError writes err the way kubectl does: "error: <message>".
func PrintError(w io.Writer, err error) {
	msg := err.Error()
	if len(msg) > 0 && msg[len(msg)-1] == '\n' {
		msg = msg[:len(msg)-1]
	}
	fmt.Fprintf(w, "error: %s\n", msg)
}

// usageTemplate is cobra's, with the long list of connection flags moved to `options`, as
// kubectl does.
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Available Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if and .HasParent .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{else}}
{{end}}
Use "kubectl imagestream options" for a list of global command-line options (applies to all commands).
`

func newOptionsCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "options",
		Short: "Print the list of flags inherited by all commands",
		Long:  "Print the flags every command accepts: which cluster, context, user and namespace to work with.",
		Example: `  # Print the flags inherited by all commands
  kubectl imagestream options`,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(o.Out, "The following options can be passed to any command:\n\n%s", cmd.Root().PersistentFlags().FlagUsages())
			return nil
		},
	}
}
