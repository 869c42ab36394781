# The reference the loading benchmarks print beside their own figures: PostgreSQL `COPY` of the
# same rows into a bare table, the floor of what any loader can do.

# copy_reference URL COLUMNS CSV OPTIONS N UNIT WIDTH NAME: creates `bench_copy (COLUMNS)` at URL,
# loads CSV into it with `\copy … WITH (OPTIONS)`, fails unless it holds N rows afterwards (NAME
# says which benchmark), and prints the time and the rate in UNIT, its label padded to WIDTH.
copy_reference() {
  local url=$1 columns=$2 csv=$3 options=$4 n=$5 unit=$6 width=$7 name=$8 start end copied
  psql "$url" -qc "CREATE TABLE bench_copy ($columns)" >/dev/null
  start=$(date +%s.%N)
  psql "$url" -qc "\\copy bench_copy FROM '$csv' WITH ($options)" >/dev/null
  end=$(date +%s.%N)
  copied=$(psql "$url" -tAc "SELECT count(*) FROM bench_copy")
  [ "$copied" = "$n" ] || { echo "$name: COPY loaded $copied rows, expected $n" >&2; exit 1; }
  python3 -c "import sys; n,t,u,w=int(sys.argv[1]),float(sys.argv[3])-float(sys.argv[2]),sys.argv[4],int(sys.argv[5]); print(f'  {\"COPY into a bare table\":<{w}} {n} {u} in {t:6.2f} s = {n/t:9,.0f} {u}/s (reference)')" \
    "$n" "$start" "$end" "$unit" "$width"
}
