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

// Package bench holds the operator's benchmarks (`make bench`, `make bench BENCH=<regexp>`),
// run against a real kube-apiserver and etcd (envtest) and the in-process registry
// (test/testregistry), with the reconcilers wired as cmd/main.go wires them:
//
//   - BenchmarkRecheckUnchangedTag, BenchmarkMovedTag and BenchmarkNoopReconcile call the
//     ImageStream reconciler directly, with a fake clock, and report the registry
//     requests, API writes, live API reads and events of one re-check (scheduled, or
//     requested with the import-requested-at annotation) and of a reconcile with nothing
//     to do;
//   - BenchmarkImport1000Streams has the operator import 1,000 streams of 3 tags and
//     reports the wall time, CPU time, heap and requests per tag;
//   - BenchmarkScheduled1000Streams restarts the operator on 1,000 streams with a
//     scheduled tag and a one-minute --scheduled-import-interval (for the default 15) and
//     reports, over 4 cycles, the requests and writes per check, the registry's busiest
//     second, CPU time and heap, without and with --max-scheduled-imports-per-minute.
//
// Every benchmark fails when the operator did not do the work it is measured for (a tag
// not imported, a re-check that sent nothing to the registry, a stream not checked in its
// slot). docs/benchmarks.md records the figures.
package bench
