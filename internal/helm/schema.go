package helm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	chartutil "helm.sh/helm/v4/pkg/chart/common/util"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
)

// refused is the loader of every external schema reference: a chart's
// values.schema.json may not make the tool read a file on this machine or
// reach the network. Helm's own validator follows file:// and http(s)://.
type refused struct{}

func (refused) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: external schema references are not followed", url)
}

// validateSchemas checks the values a render will see (the chart's
// defaults coalesced with vals) against the chart's values.schema.json and
// its subcharts', as `helm template` does.
func validateSchemas(c *chartv2.Chart, vals map[string]any) error {
	if !hasSchema(c) {
		return nil
	}
	coalesced, err := chartutil.CoalesceValues(c, deepCopy(vals))
	if err != nil {
		return err
	}
	var sb strings.Builder
	validateChart(c, coalesced.AsMap(), &sb)
	if sb.Len() > 0 {
		return errors.New("values don't meet the specifications of the schema(s) in the following chart(s):\n" + sb.String())
	}
	return nil
}

func hasSchema(c *chartv2.Chart) bool {
	if c.Schema != nil {
		return true
	}
	for _, d := range c.Dependencies() {
		if hasSchema(d) {
			return true
		}
	}
	return false
}

func validateChart(c *chartv2.Chart, vals map[string]any, sb *strings.Builder) {
	if c.Schema != nil {
		if err := validateOne(c.Schema, vals); err != nil {
			fmt.Fprintf(sb, "%s:\n%s\n", c.Name(), err)
		}
	}
	for _, sub := range c.Dependencies() {
		raw, ok := vals[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
			continue
		}
		validateChart(sub, m, sb)
	}
}

func validateOne(schemaJSON []byte, vals map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %v", r)
		}
	}()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(refused{})
	if err := c.AddResource("file:///values.schema.json", doc); err != nil {
		return err
	}
	sch, err := c.Compile("file:///values.schema.json")
	if err != nil {
		return err
	}
	return sch.Validate(vals)
}

// deepCopy copies values so that coalescing the chart's defaults into
// them for validation leaves the caller's map as it was.
func deepCopy(v map[string]any) map[string]any {
	if v == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = deepCopyValue(x)
	}
	return out
}

func deepCopyValue(x any) any {
	switch t := x.(type) {
	case map[string]any:
		return deepCopy(t)
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopyValue(e)
		}
		return s
	}
	return x
}
