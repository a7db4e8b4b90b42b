package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitops-lint/gitops-lint/internal/schema"
)

// addSchemaFlags declares the flags shared by every command that validates.
func addSchemaFlags(f *pflag.FlagSet, version *string, locations *[]string, cacheDir *string) {
	f.StringVar(version, "kubernetes-version", "", fmt.Sprintf("Kubernetes version of the embedded schemas (%s; default newest)", strings.Join(schema.Versions(), ", ")))
	f.StringArrayVar(locations, "schema-location", nil, "extra kubeconform-style schema location, tried after the embedded schemas (repeatable; http(s) needs --allow-remote)")
	f.StringVar(cacheDir, "schema-cache-dir", "", "where embedded schemas are unpacked (default: the user cache directory)")
}

func newSchemasCommand(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "schemas",
		Short: "Work with the embedded Kubernetes schemas",
	}
	c.AddCommand(&cobra.Command{
		Use:   "versions",
		Short: "List the embedded Kubernetes versions",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			for _, v := range schema.Versions() {
				fmt.Fprintln(e.stdout, v)
			}
			return nil
		},
	})
	var version, cacheDir string
	var locations []string
	export := &cobra.Command{
		Use:   "export DIR",
		Short: "Write the embedded schemas to DIR in kubeconform's layout and print the -schema-location template",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := schema.New(schema.Options{KubernetesVersion: version, CacheDir: cacheDir})
			if err != nil {
				return err
			}
			tpl, err := v.Export(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, tpl)
			return nil
		},
	}
	addSchemaFlags(export.Flags(), &version, &locations, &cacheDir)
	c.AddCommand(export)
	return c
}
