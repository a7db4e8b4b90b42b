package main

test_deny_root {
	deny["web must set runAsNonRoot"] with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {}}}}
}
