package main

// The scripts `pgtail completion SHELL` prints. Each asks the hidden
// `pgtail __complete` for the candidates (see completion.go), so the
// flags, commands and values come from the same definitions the parser
// uses and the recorded names from the state file, read-only.
var completionScripts = map[string]string{
	"bash": `# bash completion for pgtail.
# Load it with: eval "$(pgtail completion bash)"
# or save it as ~/.local/share/bash-completion/completions/pgtail
_pgtail() {
	local out dir cur
	mapfile -t out < <(command pgtail __complete bash "${COMP_LINE:0:COMP_POINT}" "${COMP_WORDS[COMP_CWORD]}" 2>/dev/null)
	COMPREPLY=("${out[@]:1}")
	dir=${out[0]-}
	case $dir in
	files*)
		cur=${dir#files}
		cur=${cur#$'\t'}
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
		;;
	nospace)
		compopt -o nospace 2>/dev/null
		;;
	esac
}
complete -F _pgtail pgtail
`,
	"zsh": `#compdef pgtail
# zsh completion for pgtail.
# Load it with: source <(pgtail completion zsh)   (after compinit)
# or save it as _pgtail in a directory of $fpath.
_pgtail() {
	local -a out eq plain
	local dir c
	out=("${(@f)$(command pgtail __complete zsh "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null)}")
	dir=${out[1]}
	for c in "${(@)out[2,-1]}"; do
		[[ -z $c ]] && continue
		if [[ $c == *= ]]; then eq+=("$c"); else plain+=("$c"); fi
	done
	(( ${#plain} )) && compadd -- "${plain[@]}"
	(( ${#eq} )) && compadd -S '' -- "${eq[@]}"
	[[ $dir == files* ]] && _files
	return 0
}
if [[ $funcstack[1] == _pgtail ]]; then
	_pgtail "$@"
else
	compdef _pgtail pgtail
fi
`,
	"fish": `# fish completion for pgtail.
# Load it with: pgtail completion fish | source
# or save it as ~/.config/fish/completions/pgtail.fish
function __pgtail_complete
	set -l words (commandline -opc)
	set -e words[1]
	set -l cur (commandline -ct)
	set -l plain (string unescape -- "$cur" 2>/dev/null); or set plain "$cur"
	set -l out (command pgtail __complete fish $words "$plain" 2>/dev/null); or return
	printf '%s\n' $out[2..-1]
	if string match -q 'files*' -- "$out[1]"
		__fish_complete_path "$plain"
	end
end
complete -c pgtail -f -a '(__pgtail_complete)'
`,
}
