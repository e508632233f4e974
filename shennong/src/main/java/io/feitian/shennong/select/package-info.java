/**
 * Which series and events a subscription reads: the selector grammar, parsed once into matchers
 * that the agent applies to every series it holds and every event it receives.
 *
 * <h2>Grammar</h2>
 *
 * <pre>
 * selector = [ names ] [ "{" [ matcher { "," matcher } [ "," ] ] "}" ]
 * names    = pattern { "|" pattern }          a series or event name, * matching any run
 * matcher  = label ( "=" | "!=" | "=~" | "!~" ) string
 *          | "severity" "&gt;=" string              event selectors only
 * string   = '"' ... '"' | "'" ... "'"            escapes \\ \" \' \n \t \r
 * </pre>
 *
 * Whitespace may separate tokens. A label missing from a series has the value "" (as in
 * Prometheus), so {@code role!="x"} matches series without a role and {@code role=""} matches
 * only those. Regular expressions (java.util.regex) must match the whole value.
 *
 * <h2>Errors</h2>
 *
 * Every problem is an {@link java.lang.IllegalArgumentException} whose message names the field,
 * the problem and the 0-based character position, e.g. {@code selector: unterminated string at
 * 17}; nothing else is thrown for any input (a seeded fuzz test holds that line). Limits:
 * {@link io.feitian.shennong.select.Selector#MAX_CHARS} characters, {@link
 * io.feitian.shennong.select.Selector#MAX_MATCHERS} matchers, {@link
 * io.feitian.shennong.select.Selector#MAX_NAMES} name alternatives.
 *
 * <h2>Cost</h2>
 *
 * Matching a name is a wildcard match in O(name × pattern) at worst, linear in practice; a
 * selector without wildcards exposes its exact names so the store looks them up instead of
 * scanning. A regular expression costs what java.util.regex costs; the selector length bounds it
 * only loosely.
 */
package io.feitian.shennong.select;
