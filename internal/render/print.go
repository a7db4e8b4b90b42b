package render

import (
	"bytes"

	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// PrintObjects prints objects rendered elsewhere (a Helm release) as
// `kustomize build` prints its output: each object's YAML, "---" between
// them. With sc set, every string value is screened as Options.Screen
// says, so a secret value is never printed.
func PrintObjects(objs []map[string]any, sc Screen) ([]byte, error) {
	nodes := make([]*kyaml.RNode, 0, len(objs))
	for _, o := range objs {
		n, err := kyaml.FromMap(o)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if sc != nil {
		for _, o := range objs {
			sc.Learn(o)
		}
		for _, n := range nodes {
			screen(sc, n.YNode(), n.GetKind() == "Secret" && n.GetApiVersion() == "v1")
		}
	}
	var b bytes.Buffer
	err := kio.ByteWriter{Writer: &b}.Write(nodes)
	return b.Bytes(), err
}
