// Package secrets finds plaintext Secrets and leaked credentials.
package secrets

import _ "github.com/zricethezav/gitleaks/v8/detect"
