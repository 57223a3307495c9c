package main

import (
	"bytes"
	"encoding/json"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
)

// cmdJSONSchema checks that FILE (stdout, stderr or a file) is one JSON
// value of the documented schema, decoded with unknown fields refused:
// jsonschema status|doctor FILE.
func cmdJSONSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: jsonschema status|doctor FILE")
	}
	var v any
	switch args[0] {
	case "status":
		v = &cli.StatusReport{}
	case "doctor":
		v = &cli.DoctorReport{}
	default:
		ts.Fatalf("jsonschema: unknown schema %q", args[0])
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(ts.ReadFile(args[1]))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ts.Fatalf("%s is not a %s report: %v", args[1], args[0], err)
	}
	if dec.More() {
		ts.Fatalf("%s holds more than one JSON value", args[1])
	}
}
