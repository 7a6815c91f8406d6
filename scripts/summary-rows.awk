# summary-rows.awk: pgtail's text summary -> kind<TAB>name<TAB>count lines,
# for the end-to-end scripts to compare with pg_stat_activity.
#   awk -v hp='Active connections' -v none='-' -f scripts/summary-rows.awk
# hp: the header before ": N" (a filtered view names its filters);
# none: the name printed for rows that have none (totals).
# Lines that do not parse come out as "bad<TAB>line".
BEGIN { if (hp == "") hp = "Active connections" }
index($0, hp ": ") == 1 { v = substr($0, length(hp) + 3); if (v ~ /^[0-9]+$/) { print "total\t" none "\t" v; next } }
/^By database:$/ { sec = "db"; next }
/^By user:$/ { sec = "user"; next }
/^By application:$/ { sec = "app"; next }
/^$/ { sec = ""; next }
sec != "" && /^  [^ ].* +[0-9]+$/ {
  s = substr($0, 3); n = s; sub(/.* /, "", n); name = s; sub(/ +[0-9]+$/, "", name)
  print sec "\t" name "\t" n; next
}
# After a server reset: ", N ended by server REASON" for each reason.
/^Session totals: [0-9]+ connects, [0-9]+ disconnects(, [0-9]+ ended by server [a-z]+)*$/ {
  print "connects\t" none "\t" $3; print "disconnects\t" none "\t" $5 + 0
  for (i = 7; i + 4 <= NF; i += 5) { r = $(i + 4); sub(/,$/, "", r); print "ended\t" r "\t" $i }
  next
}
/^Connection failures: [0-9]+( |$)/ { print "failures\t" none "\t" $3; next }
/^Peak: [0-9]+ active/ { print "peak\t" none "\t" $2; next }
/^Saturated: [0-9]+ connection/ { print "saturated\t" none "\t" $2; next }
{ print "bad\t" $0 }
