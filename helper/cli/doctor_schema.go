package cli

// The JSON of `doctor --json` (README.md#doctor---json). Schema version 1:
// fields are only ever added under a new schemaVersion and are always
// present.

const doctorSchemaVersion = 1

// DoctorReport is the whole answer of `doctor --json`.
type DoctorReport struct {
	SchemaVersion int           `json:"schemaVersion"`
	OK            bool          `json:"ok"` // no check is an error (the exit status is 0)
	Errors        int           `json:"errors"`
	Warnings      int           `json:"warnings"`
	Checks        []DoctorCheck `json:"checks"`
}

// DoctorCheck is one finding.
type DoctorCheck struct {
	// ID names the check: binary, helpers, use-http-path, git-version,
	// secret-files, state-dir, endpoint, clock, consumer.
	ID      string `json:"id"`
	Remote  string `json:"remote"`  // the remote it concerns; "" for the machine
	Status  string `json:"status"`  // ok, warning, error, skipped
	Message string `json:"message"` // what was found, in one line
	Fix     string `json:"fix"`     // what to do (a command where there is one); "" when ok
}

// Statuses of a DoctorCheck.
const (
	checkOK      = "ok"
	checkWarning = "warning"
	checkError   = "error"
	checkSkipped = "skipped"
)
