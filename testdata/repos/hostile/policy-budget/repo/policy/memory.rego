package main

deny contains msg if {
	count(numbers.range(1, 2000000000)) > 1
	msg := "never"
}
