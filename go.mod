module github.com/pgtail/pgtail

go 1.26.8

require (
	github.com/alexflint/go-arg v1.6.1
	github.com/chai2010/gettext-go v1.0.3
	github.com/fatih/color v1.19.0
	github.com/google/go-cmp v0.7.0
	github.com/mattn/go-isatty v0.0.24
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/text v0.25.0
)

require (
	github.com/alexflint/go-scalar v1.2.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	golang.org/x/sys v0.42.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
