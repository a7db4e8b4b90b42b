package main_test

import data.main

test_deny_root if {
	main.deny["web must set runAsNonRoot"] with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {}}}}
}

test_no_deny_nonroot if {
	count(main.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}}}}}
}
