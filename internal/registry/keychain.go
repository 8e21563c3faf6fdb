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

package registry

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	corev1 "k8s.io/api/core/v1"
)

// Annotations that exclude a pull secret from imports when set to "true".
const (
	// ExcludeSecretAnnotation is this project's exclusion annotation.
	ExcludeSecretAnnotation = "image.imagestreams.io/exclude-secret"
	// OpenShiftExcludeSecretAnnotation is OpenShift's, also honoured.
	OpenShiftExcludeSecretAnnotation = "openshift.io/image.excludeSecret"
)

// KeychainFromSecrets returns a keychain of the registry credentials held by
// kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg secrets, skipping secrets
// annotated to be excluded and entries that cannot be parsed. The most specific entry
// matching a repository wins: "quay.io/org/repo" beats "quay.io/org" beats "quay.io";
// ties go to the secret whose name sorts first. Hosts match with or without ":443",
// Docker Hub under any of its names, and ":80" only when written. Without a match the
// keychain answers authn.Anonymous. The caller passes the secrets of one namespace.
func KeychainFromSecrets(secrets []corev1.Secret) authn.Keychain {
	kc := &secretKeychain{}
	for i := range secrets {
		kc.entries = append(kc.entries, secretEntries(&secrets[i])...)
	}
	slices.SortStableFunc(kc.entries, func(a, b credentialEntry) int {
		return cmp.Or(
			cmp.Compare(b.segments(), a.segments()),
			cmp.Compare(strings.Count(a.host, "*"), strings.Count(b.host, "*")),
			cmp.Compare(a.secret, b.secret),
			cmp.Compare(a.key, b.key),
		)
	})
	return kc
}

// secretKeychain resolves credentials from parsed secret entries, most specific first.
type secretKeychain struct {
	entries []credentialEntry
}

// credentialEntry is one registry entry of a secret.
type credentialEntry struct {
	host   string // canonical host[:port]; labels may be "*" patterns
	path   string // repository prefix; "" for the whole registry
	secret string // secret name
	key    string // entry key as written
	config authn.AuthConfig
}

// segments is the number of repository path segments the entry is scoped to.
func (e credentialEntry) segments() int {
	if e.path == "" {
		return 0
	}
	return strings.Count(e.path, "/") + 1
}

// Resolve implements authn.Keychain.
func (kc *secretKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	registry := target.RegistryStr()
	host := canonicalHost(registry)
	repo := strings.Trim(strings.TrimPrefix(target.String(), registry), "/")
	for _, e := range kc.entries {
		if !hostMatches(e.host, host) {
			continue
		}
		if e.path == "" || repo == e.path || strings.HasPrefix(repo, e.path+"/") {
			return authn.FromConfig(e.config), nil
		}
	}
	return authn.Anonymous, nil
}

// String keeps credentials out of logs that print the keychain.
func (kc *secretKeychain) String() string {
	return fmt.Sprintf("secret keychain with %d entries", len(kc.entries))
}

// GoString keeps credentials out of logs that print the keychain with %#v.
func (kc *secretKeychain) GoString() string { return kc.String() }

// dockerConfigEntry is the credential part of a docker config entry.
type dockerConfigEntry struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// secretEntries parses the registry entries of a pull secret; a secret of another type,
// excluded or malformed yields none.
func secretEntries(s *corev1.Secret) []credentialEntry {
	if s.Annotations[ExcludeSecretAnnotation] == "true" || s.Annotations[OpenShiftExcludeSecretAnnotation] == "true" {
		return nil
	}
	var auths map[string]dockerConfigEntry
	switch s.Type {
	case corev1.SecretTypeDockerConfigJson:
		var cfg struct {
			Auths map[string]dockerConfigEntry `json:"auths"`
		}
		if json.Unmarshal(s.Data[corev1.DockerConfigJsonKey], &cfg) != nil {
			return nil
		}
		auths = cfg.Auths
	case corev1.SecretTypeDockercfg:
		if json.Unmarshal(s.Data[corev1.DockerConfigKey], &auths) != nil {
			return nil
		}
	default:
		return nil
	}
	var entries []credentialEntry
	for key, entry := range auths {
		host, repoPath, ok := parseRegistryKey(key)
		config, usable := entry.authConfig()
		if ok && usable {
			entries = append(entries, credentialEntry{host: host, path: repoPath, secret: s.Name, key: key, config: config})
		}
	}
	return entries
}

// authConfig returns the credentials of an entry, preferring "auth" (base64 user:pass)
// to username and password; usable is false when the entry holds none.
func (e dockerConfigEntry) authConfig() (cfg authn.AuthConfig, usable bool) {
	cfg = authn.AuthConfig{Username: e.Username, Password: e.Password,
		IdentityToken: e.IdentityToken, RegistryToken: e.RegistryToken}
	if e.Auth != "" {
		if decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(e.Auth)); err == nil {
			if user, pass, found := strings.Cut(string(decoded), ":"); found && user != "" {
				cfg.Username, cfg.Password = user, pass
			}
		}
	}
	return cfg, cfg.Username != "" || cfg.IdentityToken != "" || cfg.RegistryToken != ""
}

// parseRegistryKey splits a docker config key ("host", "host:port", "host/path",
// "https://host/v1/") into a canonical host and a repository path prefix.
func parseRegistryKey(key string) (host, repoPath string, ok bool) {
	k := strings.TrimSpace(key)
	scheme, rest, hasScheme := strings.Cut(k, "://")
	if hasScheme {
		if scheme != "http" && scheme != "https" {
			return "", "", false
		}
		k = rest
	}
	host, repoPath, _ = strings.Cut(k, "/")
	repoPath = strings.Trim(repoPath, "/")
	if hasScheme && (repoPath == "v1" || repoPath == "v2") {
		repoPath = "" // API endpoint URLs such as https://index.docker.io/v1/
	}
	host = canonicalHost(host)
	return host, repoPath, host != ""
}

// canonicalHost lower-cases a registry host, drops the default HTTPS port and names
// Docker Hub "docker.io" whatever alias is used.
func canonicalHost(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ":443")
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return host
}

// hostMatches reports whether an entry host matches a canonical registry host. Entry
// hosts may use glob patterns per DNS label ("*.example.com"), as the kubelet allows.
func hostMatches(pattern, host string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == host
	}
	patternName, patternPort, _ := strings.Cut(pattern, ":")
	hostName, hostPort, _ := strings.Cut(host, ":")
	if patternPort != hostPort {
		return false
	}
	patternLabels, hostLabels := strings.Split(patternName, "."), strings.Split(hostName, ".")
	if len(patternLabels) != len(hostLabels) {
		return false
	}
	for i := range patternLabels {
		if ok, err := path.Match(patternLabels[i], hostLabels[i]); err != nil || !ok {
			return false
		}
	}
	return true
}
