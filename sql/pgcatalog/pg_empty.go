package pgcatalog

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Catalogs that exist so client queries bind but have no rows in tsgres
// (no triggers, policies, publications, inheritance, foreign tables,
// enums or ranges).
func init() {
	pc := catalog.SchemaCatalog
	o, n, t, b, ch := types.Oid, types.Name, types.Text, types.Bool, types.Char
	i2, i4, tree := types.Int2, types.Int4, types.PgNodeTree
	register(pc, "pg_shdescription", cols(c("objoid", o), c("classoid", o), c("description", t)), emptyRows)
	register(pc, "pg_auth_members", cols(c("roleid", o), c("member", o), c("grantor", o), c("admin_option", b)), emptyRows)
	register(pc, "pg_trigger", cols(c("oid", o), c("tgrelid", o), c("tgparentid", o), c("tgname", n),
		c("tgfoid", o), c("tgtype", i2), c("tgenabled", ch), c("tgisinternal", b), c("tgconstrrelid", o),
		c("tgconstrindid", o), c("tgconstraint", o), c("tgdeferrable", b), c("tginitdeferred", b),
		c("tgnargs", i2), c("tgattr", types.Int2Vector), c("tgargs", types.Bytea), c("tgqual", tree),
		c("tgoldtable", n), c("tgnewtable", n)), emptyRows)
	register(pc, "pg_policy", cols(c("oid", o), c("polname", n), c("polrelid", o), c("polcmd", ch),
		c("polpermissive", b), c("polroles", tOidArr), c("polqual", tree), c("polwithcheck", tree)), emptyRows)
	register(pc, "pg_rewrite", cols(c("oid", o), c("rulename", n), c("ev_class", o), c("ev_type", ch),
		c("ev_enabled", ch), c("is_instead", b), c("ev_qual", tree), c("ev_action", tree)), emptyRows)
	register(pc, "pg_statistic_ext", cols(c("oid", o), c("stxrelid", o), c("stxname", n),
		c("stxnamespace", o), c("stxowner", o), c("stxstattarget", i4), c("stxkeys", types.Int2Vector),
		c("stxkind", tCharArr), c("stxexprs", tree)), emptyRows)
	register(pc, "pg_publication", cols(c("oid", o), c("pubname", n), c("pubowner", o),
		c("puballtables", b), c("pubinsert", b), c("pubupdate", b), c("pubdelete", b),
		c("pubtruncate", b), c("pubviaroot", b)), emptyRows)
	register(pc, "pg_publication_rel", cols(c("oid", o), c("prpubid", o), c("prrelid", o),
		c("prqual", tree), c("prattrs", types.Int2Vector)), emptyRows)
	register(pc, "pg_publication_namespace", cols(c("oid", o), c("pnpubid", o), c("pnnspid", o)), emptyRows)
	register(pc, "pg_subscription", cols(c("oid", o), c("subdbid", o), c("subskiplsn", t),
		c("subname", n), c("subowner", o), c("subenabled", b), c("subbinary", b), c("substream", b),
		c("subtwophasestate", ch), c("subdisableonerr", b), c("subconninfo", t), c("subslotname", n),
		c("subsynccommit", t), c("subpublications", types.TextArray)), emptyRows)
	register(pc, "pg_foreign_table", cols(c("ftrelid", o), c("ftserver", o), c("ftoptions", types.TextArray)), emptyRows)
	register(pc, "pg_foreign_server", cols(c("oid", o), c("srvname", n), c("srvowner", o), c("srvfdw", o),
		c("srvtype", t), c("srvversion", t), c("srvacl", tACLArr), c("srvoptions", types.TextArray)), emptyRows)
	register(pc, "pg_partitioned_table", cols(c("partrelid", o), c("partstrat", ch), c("partnatts", i2),
		c("partdefid", o), c("partattrs", types.Int2Vector), c("partclass", types.OidVector),
		c("partcollation", types.OidVector), c("partexprs", tree)), emptyRows)
	register(pc, "pg_enum", cols(c("oid", o), c("enumtypid", o), c("enumsortorder", types.Float4), c("enumlabel", n)), emptyRows)
	register(pc, "pg_range", cols(c("rngtypid", o), c("rngsubtype", o), c("rngmultitypid", o),
		c("rngcollation", o), c("rngsubopc", o), c("rngcanonical", types.Regproc), c("rngsubdiff", types.Regproc)), emptyRows)
	register(pc, "pg_matviews", cols(c("schemaname", n), c("matviewname", n), c("matviewowner", n),
		c("tablespace", n), c("hasindexes", b), c("ispopulated", b), c("definition", t)), emptyRows)
	register(pc, "pg_views", cols(c("schemaname", n), c("viewname", n), c("viewowner", n), c("definition", t)), emptyRows)
	register(pc, "pg_cursors", cols(c("name", t), c("statement", t), c("is_holdable", b),
		c("is_binary", b), c("is_scrollable", b), c("creation_time", types.Timestamptz)), emptyRows)
}
