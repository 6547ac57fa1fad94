#!/usr/bin/env python3
# Generates rules/waf/*.json (mamori's managed rule groups).  Kept out of the
# repository: the JSON files are the source of truth once written.
import base64, json, os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "rules/waf"


def tx(*names):
    if not names:
        names = ("NONE",)
    return [{"Priority": i, "Type": n} for i, n in enumerate(names)]


ARGS = {"MamoriArguments": {"MatchScope": "ALL"}}
ARGV = {"MamoriArguments": {"MatchScope": "VALUE"}}
ARGQ = {"MamoriArguments": {"MatchScope": "ALL", "Part": "QUERY"}}
ARGB = {"MamoriArguments": {"MatchScope": "ALL", "Part": "BODY"}}
ARGQV = {"MamoriArguments": {"MatchScope": "VALUE", "Part": "QUERY"}}
ARGBV = {"MamoriArguments": {"MatchScope": "VALUE", "Part": "BODY"}}
URI = {"UriPath": {}}
RAWURI = {"MamoriUri": {}}
QS = {"QueryString": {}}
BODY = {"Body": {"OversizeHandling": "CONTINUE"}}
HDRV = {"Headers": {"MatchPattern": {"ExcludedHeaders": ["cookie", "host", "content-length", "content-type",
                                                        "accept", "accept-encoding", "accept-language",
                                                        "connection", "origin"]},
                    "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}
HDRALL = {"Headers": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "OversizeHandling": "CONTINUE"}}
COOKIES = {"Cookies": {"MatchPattern": {"All": {}}, "MatchScope": "ALL", "OversizeHandling": "CONTINUE"}}
UA = {"SingleHeader": {"Name": "user-agent"}}

# one decoding chain for (almost) every regex rule, so that each field is
# decoded and scanned once per request whatever the number of rules
DECU = ("URL_DECODE_UNI", "URL_DECODE_UNI", "HTML_ENTITY_DECODE", "LOWERCASE")
DEC = DECU
# a path separator as fuzzers write it: any punctuation, percent or hex
# escapes (valid or not), %u escapes
SEPX = r"(?:[^a-z0-9]|%[0-9a-z]{2}|0x[0-9a-f]{2}|%u[0-9a-f]{4}){1,8}"


def split_args(field):
    if field in (ARGS, ARGV):
        return [ARGQ, ARGB]
    return [field]


def regex(field, pattern, t=DEC):
    if field in (ARGS, ARGV):
        return any_of(*[regex(f, pattern, t) for f in split_args(field)])
    return {"RegexMatchStatement": {"RegexString": pattern, "FieldToMatch": field, "TextTransformations": tx(*t)}}


def rset(field, name, t=DEC):
    if field in (ARGS, ARGV):
        return any_of(*[rset(f, name, t) for f in split_args(field)])
    return {"RegexPatternSetReferenceStatement": {"ARN": name, "FieldToMatch": field, "TextTransformations": tx(*t)}}


def any_of(*stmts):
    flat = []
    for st in stmts:
        if st and "OrStatement" in st:
            flat += st["OrStatement"]["Statements"]
        elif st:
            flat.append(st)
    stmts = flat
    if len(stmts) == 1:
        return stmts[0]
    return {"OrStatement": {"Statements": list(stmts)}}


def all_of(*stmts):
    return {"AndStatement": {"Statements": list(stmts)}}


def neg(s):
    return {"NotStatement": {"Statement": s}}


def sqli(field, t=("NONE",), level="HIGH"):
    return {"SqliMatchStatement": {"FieldToMatch": field, "TextTransformations": tx(*t), "SensitivityLevel": level}}


def xss(field, t=("NONE",)):
    return {"XssMatchStatement": {"FieldToMatch": field, "TextTransformations": tx(*t)}}


def size(field, op, n, t=("NONE",)):
    return {"SizeConstraintStatement": {"FieldToMatch": field, "ComparisonOperator": op, "Size": n,
                                        "TextTransformations": tx(*t)}}


def byte(field, s, pos, t=("NONE",)):
    return {"ByteMatchStatement": {"SearchString": s, "FieldToMatch": field, "PositionalConstraint": pos,
                                   "TextTransformations": tx(*t)}}


class Group:
    def __init__(self, name, ns, desc, vendor="AWS"):
        self.name, self.ns, self.desc, self.vendor = name, ns, desc, vendor
        self.rules, self.sets = [], []

    def set(self, name, patterns):
        self.sets.append({"Name": name, "ARN": name,
                          "RegularExpressionList": [{"RegexString": p} for p in patterns]})
        return name

    def rule(self, name, stmt, cls, desc, action="Block"):
        r = {"Name": name, "Priority": len(self.rules) * 10, "Statement": stmt,
             "Action": {action: {}}, "MamoriClass": cls, "Description": desc,
             "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": False,
                                  "MetricName": name}}
        self.rules.append(r)

    def write(self):
        doc = {"Name": self.name, "VendorName": self.vendor, "LabelNamespace": self.ns,
               "Description": self.desc, "Rules": self.rules}
        if self.sets:
            doc["RegexPatternSets"] = self.sets
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def b64_variants(words):
    """Base64 forms of each word at the three alignments, trimmed to the
    characters that do not depend on neighbours (how a word looks inside a
    longer base64 string)."""
    out = set()
    for w in words:
        for form in {w, w.lower(), w[0].upper() + w[1:]}:
            for pad in range(3):
                enc = base64.b64encode(b"\0" * pad + form.encode()).decode().rstrip("=")
                skip = {0: 0, 1: 2, 2: 3}[pad]
                end = len(enc)
                rem = (pad + len(form)) % 3
                if rem:
                    end -= 1  # last char mixes with what follows
                frag = enc[skip:end]
                if len(frag) >= 6:
                    out.add(frag)
    return sorted(out)


# ---------------------------------------------------------------- known bad inputs
kb = Group("AWSManagedRulesKnownBadInputsRuleSet", "awswaf:managed:aws:known-bad-inputs:",
           "Request patterns known to be malicious: Log4Shell lookups, Java deserialization "
           "gadgets and class names, Spring4Shell, OGNL/Struts, Shellshock.")
LOG4J = kb.set("log4j", [
    r"\$\{[^}]{0,100}?\$\{",                               # nested lookups ${${lower:j}ndi...
    r"\$\{\s*(?:jndi|lower|upper|env|sys|java|date|main|bundle|ctx|map|sd|spring|k8s|docker|web|log4j|base64|marker|event|::-)[^}]{0,200}?:",
    r"\$\{\s*j\W{0,8}n\W{0,8}d\W{0,8}i",
    r"\bjndi\s*:\s*(?:ldaps?|rmi|dns|iiop|corba|nds|nis|http)\s*:",
])
for fname, field in (("HEADER", HDRV), ("QUERYSTRING", QS), ("BODY", BODY), ("URIPATH", URI), ("COOKIE", COOKIES)):
    kb.rule("Log4JRCE_" + fname, rset(field, LOG4J, DECU), "log4shell",
            "Log4j lookups (${jndi:...} and obfuscated forms) in the " + fname.lower())
kb.rule("Log4JRCE_ARGS", rset(ARGS, LOG4J, DECU), "log4shell", "Log4j lookups in request parameters")

JAVA_GADGETS = ["clonetransformer", "forclosure", "instantiatefactory", "instantiatetransformer",
                "invokertransformer", "prototypeclonefactory", "prototypeserializationfactory",
                "whileclosure", "chainedtransformer", "constanttransformer", "lazymap",
                "templatesimpl", "annotationinvocationhandler", "badattributevalueexpexception"]
B64_WORDS = JAVA_GADGETS + ["runtime", "processbuilder", "getruntime", "fileoutputstream",
                            "fileinputstream", "getproperty", "ProcessBuilder", "Runtime",
                            "InvokerTransformer", "ChainedTransformer", "TemplatesImpl"]
JAVA = kb.set("java", [
    r"\b(?:java\.(?:lang|io|net|nio|util\.(?:concurrent|jar|zip)|beans|rmi|security)\.\w|javax\.(?:script|naming|management|el|xml\.transform)\.|com\.opensymphony\.xwork2|org\.apache\.(?:commons(?:\.(?:collections|beanutils|fileupload|configuration))?\b|struts2?\b|xalan|tomcat|catalina|naming|bcel|log4j|myfaces|wicket)|com\.sun\.(?:org\.apache|jndi|rowset|rmi)|org\.omg\.corba|org\.springframework\.(?:context|beans|core|jndi|transaction)|sun\.misc\.|org\.codehaus\.groovy|bsh\.interpreter|com\.alibaba\.fastjson|com\.thoughtworks\.xstream|org\.hibernate|ognl\.ognlcontext|org\.mozilla\.javascript)",
    r"\b(?:" + "|".join(JAVA_GADGETS) + r")\b",
    r"\bjava(?:\.\w+)*\.(?:runtime|processbuilder)\b",
    r"(?:processbuilder|runtime)\b.{0,80}?\b(?:" + "|".join(JAVA_GADGETS) + r")",
    r"\b(?:runtime\s*\.\s*getruntime|getruntime\s*\(\s*\)\s*\.\s*exec|new\s+processbuilder)\b",
    r"(?:\xac\xed\x00\x05|aced0005|ro0ab[a-z0-9+/])",
])
JAVA_B64 = kb.set("java-base64", [r"(?:" + "|".join(b64_variants(B64_WORDS)) + r")"])
for fname, field in (("ARGS", ARGS), ("HEADER", HDRV), ("COOKIE", COOKIES), ("URIPATH", URI)):
    kb.rule("JavaDeserializationRCE_" + fname,
            any_of(rset(field, JAVA, DEC), rset(field, JAVA_B64, ("NONE",))), "java-injection",
            "Java deserialization gadgets, serialized objects and dangerous class names in the " + fname.lower())
kb.rule("JavaDeserializationRCE_BODY",
        any_of(rset(BODY, JAVA, DEC), rset(BODY, JAVA_B64, ("NONE",))), "java-injection",
        "Java deserialization payloads in the raw body")
OGNL = kb.set("ognl-spring", [
    r"%\{\s*\(?\s*#", r"#_memberaccess", r"@ognl\.ognlcontext", r"#context\s*\[", r"\(#\w+=",
    r"\bclass\.(?:module\.)?classloader\b", r"\bclassloader\.(?:resources|urls|parent)\b",
    r"\$\{\s*(?:#|@|t\s*\()", r"\bt\s*\(\s*java\.lang", r"#\{\s*(?:t\s*\(|['\"]?\w+['\"]?\.getclass)",
    r"@java\.lang\.(?:runtime|processbuilder|system)@",
])
kb.rule("SpringOGNL_ARGS", any_of(rset(ARGS, OGNL), rset(URI, OGNL), rset(HDRV, OGNL)), "java-injection",
        "OGNL / Spring Expression Language injection and Spring4Shell class-loader manipulation")
SHELLSHOCK = r"^\s*\(\s*\)\s*\{"
kb.rule("Shellshock_HEADER", any_of(regex(HDRV, SHELLSHOCK, DECU),
                                    regex(ARGS, SHELLSHOCK, ("NONE",))), "shellshock",
        "Bash function definitions (Shellshock, CVE-2014-6271) in headers or parameters")
kb.rule("PROPFIND_METHOD", regex({"Method": {}}, r"^(?:PROPFIND|PROPPATCH|MKCOL|LOCK|UNLOCK|TRACE|TRACK|DEBUG)$", ("NONE",)),
        "protocol", "WebDAV discovery and TRACE/TRACK/DEBUG methods")
kb.rule("ExploitablePaths_URIPATH",
        regex(URI, r"(?:/(?:web-inf|meta-inf)(?:/|$)|/\.(?:git|svn|hg|env|aws|ssh|docker|kube|claude|vscode|idea)(?:/|$)|/(?:wp-config\.php|\.htpasswd|\.htaccess|\.ds_store)(?:$|[~.])|/actuator/(?:env|heapdump|gateway|jolokia)|/(?:phpunit|eval-stdin\.php)|/cgi-bin/.*\.(?:sh|pl)$)",
              DECU), "path-traversal",
        "Paths to source control, secrets, build and admin endpoints that are exploited directly")
kb.write()

# ---------------------------------------------------------------- core rule set
crs = Group("AWSManagedRulesCommonRuleSet", "awswaf:managed:aws:core-rule-set:",
            "Core protections: protocol violations, size limits, bad bots, cross-site scripting, "
            "path traversal / LFI, RFI and SSRF to cloud metadata.")
crs.rule("NoUserAgent_HEADER", neg(size(UA, "GE", 0)), "protocol", "The request has no User-Agent header")
BADBOTS = crs.set("bad-bots", [
    r"\b(?:sqlmap|nikto|nmap|masscan|zgrab|nuclei|openvas|nessus|w3af|acunetix|dirbuster|gobuster|wfuzz|ffuf|feroxbuster|wpscan|joomscan|havij|netsparker|arachni|skipfish|zmeu|morfeus|jaeles|paros|webinspect|appscan|qualys|burp(?:suite| collaborator)|commix|xsstrike|whatweb|fimap|hydra|medusa|dotdotpwn|brutus|grabber|jbrofuzz|metasploit|sqlninja|pangolin|bsqlbf|mysqloit|absinthe|vega/|zap/|owasp zap|winrm client openvas|interactsh|oast\.(?:me|fun|live|site|online|pro))\b",
])
crs.rule("UserAgent_BadBots_HEADER", rset(HDRV, BADBOTS, DECU), "scanner",
         "User agents of vulnerability scanners and attack tools")
# HTTP protocol enforcement: what clients speaking HTTP correctly do not send
METHOD = {"Method": {}}
CT = {"SingleHeader": {"Name": "content-type"}}
crs.rule("RestrictedMethod", regex(METHOD, r"^(?!(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT)$)", ("NONE",)),
         "protocol", "A method outside HTTP's standard set (WebDAV, TRACE, made-up methods)")
crs.rule("RestrictedContentType_HEADER",
         regex(CT, r"(?i)^(?!\s*(?:application/x-www-form-urlencoded|multipart/form-data|application/json|application/vnd\.[\w.-]+\+json|application/(?:soap\+)?xml|text/xml|text/plain|text/html)\s*(?:;|$))",
               ("NONE",)), "protocol", "A request body type that web applications do not parse (and a WAF cannot inspect)")
crs.rule("BodyOnGetOrHead", all_of(regex(METHOD, r"^(?:GET|HEAD)$", ("NONE",)),
                                   any_of(size(BODY, "GT", 0),
                                          size({"SingleHeader": {"Name": "transfer-encoding"}}, "GT", 0))),
         "protocol", "GET or HEAD with a body: request smuggling and cache poisoning carrier")
crs.rule("InvalidEncoding_ARGS",
         any_of(regex(QS, r"%00|%u[fF]{2}[0-9a-fA-F]{2}|%25(?:[0-9a-fA-F]{2}|%[0-9a-fA-F]{2}%[0-9a-fA-F]{2})", ("NONE",)),
                regex(ARGQ, r"[\xc0\xc1][\x80-\xbf]|\xe0[\x80-\x9f]|\xf0[\x80-\x8f]|[\xf5-\xff]", ("NONE",))),
         "protocol", "NUL bytes, overlong or invalid UTF-8, %u full-width characters or double URL encoding in the query")
crs.rule("MultipartNameViolation_BODY",
         regex(BODY, r"content-disposition:[^\r\n]*\b(?:file)?name\s*=\s*\"(?:[^\"\r\n;=\\&]|&#?[a-z0-9]+;|&(?!#?[a-z0-9]+;))*+[;=\\]",
               DECU),
         "protocol", "Multipart field or file names with characters that parsers disagree on (; = \\ quotes)")
crs.rule("RestrictedUpload_BODY",
         regex(BODY, r"filename\s*=\s*\"(?:[^\"\r\n]*\.\s*(?:php\d?|phtml|phar|pht|shtml|jspx?|aspx?|cer|asa|cgi)(?:[\".;:\s/\x00])|[/\\\\]|\.\.[/\\\\])",
               DECU),
         "php-injection", "Uploads of server-side scripts (also behind a second extension) and file names with paths")
crs.rule("ObsoleteRangeHeader", any_of(size({"SingleHeader": {"Name": "request-range"}}, "GE", 0),
                                       regex({"SingleHeader": {"Name": "range"}}, r"(?:,[^,]*){5,}|bytes\s*=\s*\d{10,}", ("NONE",))),
         "protocol", "Request-Range or many-part Range headers (resource exhaustion)")
crs.rule("BodyWithoutContentType",
         all_of(size(BODY, "GT", 0), neg(size(CT, "GE", 0)), neg(size({"SingleHeader": {"Name": "transfer-encoding"}}, "GE", 0))),
         "protocol", "A request body without a Content-Type: the application and the WAF may parse it differently")
crs.rule("MethodOverride_QUERYSTRING",
         any_of(regex({"SingleQueryArgument": {"Name": "_method"}}, r"(?i)^[a-z]{3,}$", ("NONE",)),
                regex({"Headers": {"MatchPattern": {"IncludedHeaders": ["x-http-method-override", "x-http-method", "x-method-override"]},
                                   "MatchScope": "VALUE", "OversizeHandling": "CONTINUE"}}, r"(?i)^[a-z]{3,}$", ("NONE",)),
                regex({"MamoriArguments": {"MatchScope": "ALL", "Part": "BODY"}}, r"^_method$", ("NONE",))),
         "protocol", "HTTP method override through the query string (bypasses method restrictions)")
crs.rule("SizeRestrictions_QUERYSTRING", size(QS, "GT", 2048), "protocol", "Query string over 2 KB")
crs.rule("SizeRestrictions_Cookie_HEADER", size({"SingleHeader": {"Name": "cookie"}}, "GT", 10240), "protocol",
         "Cookie header over 10 KB")
crs.rule("SizeRestrictions_BODY", size(BODY, "GT", 8192), "protocol", "Body over 8 KB, the inspection limit: what lies beyond cannot be inspected")
crs.rule("SizeRestrictions_URIPATH", size(URI, "GT", 1024), "protocol", "URI path over 1 KB")
METADATA = crs.set("ssrf-metadata", [
    r"(?:^|[^\d.])169\.254\.169\.254\b", r"\bfd00:ec2::254\b", r"\bmetadata\.google\.internal\b",
    r"\b100\.100\.100\.200\b", r"::ffff:a9fe:a9fe\b", r"\b169\.254\.170\.2\b", r"(?:^|/)(?:latest/(?:meta-data|user-data|api/token|dynamic)|computemetadata/v1|metadata/instance)\b",
    r"\binstance-data\b", r"\bmetadata\.azure\.com\b", r"\b192\.0\.0\.192\b",
    # the metadata address written as one number, in hex or octal
    r"(?:^|[/@=])(?:2852039166|0xa9fea9fe|0xa9\.0xfe\.0xa9\.0xfe|0251\.0376\.0251\.0376|025177524776|0x0*a9\.0x0*fe\.0x0*a9\.0x0*fe)\b",
])
SSRF_LOCAL = crs.set("ssrf-local", [
    r"\b(?:https?|gopher|dict|ftp|ldap|tftp|file|jar|netdoc|ssh|sftp|pop3|imap|smtp|telnet|mysql|redis|mongodb)://(?:[^/@]*@)?(?:localhost\d?|127\.\d+\.\d+\.\d+|0\.0\.0\.0|0|\[::1?\]|\[0*:0*:0*:0*:0*:(?:0*|ffff):?[0-9a-f.:]*\]|2130706433|0x7f0*1|017700000001|\d{8,10}|0x[0-9a-f]{8}|(?:0x[0-9a-f]{1,2}|0[0-7]{1,3})(?:\.(?:0x[0-9a-f]{1,2}|0[0-7]{1,3}|\d{1,3})){0,3}|[^/]*\.(?:nip\.io|xip\.io|sslip\.io|localtest\.me|lvh\.me|burpcollaborator\.net|oastify\.com))(?:[:/?#]|$)",
    r"^(?:localhost\d?|127\.0\.0\.1)(?::\d+)?/", r"\bhost\.docker\.internal\b|\bkubernetes\.default\b",
    r"@(?:127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1?\])(?:[:/]|$)", r"://\[fe80:",
])
for fname, field in (("QUERYARGUMENTS", ARGQ), ("BODY", ARGB), ("URIPATH", URI), ("COOKIE", COOKIES)):
    crs.rule("EC2MetaDataSSRF_" + fname, any_of(rset(field, METADATA, DECU), rset(field, SSRF_LOCAL, DECU)),
             "generic-injection", "Server-side request forgery to cloud metadata or local addresses in the " + fname.lower())

# path traversal and LFI: dot-dot segments in any encoding, and paths to
# well-known sensitive files
DOT = r"(?:\.|%2e|0x2e|\xc0\xae|\xc0\x2e|\xe0\x80\xae|\xf0\x80\x80\xae|\xf8\x80\x80\x80\xae|\xfc\x80\x80\x80\x80\xae|\xc0\xee|\xc0\x5e|%c0%2e)"
SEP = r"(?:/|\\|%2f|%5c|0x2f|0x5c|\xc0\xaf|\xc0\x2f|\xc0\x5c|\xc1\x9c|\xc1\x1c|\xc1\xaf|\xc1\x8s|\xe0\x80\xaf|\xf0\x80\x80\xaf|\xf8\x80\x80\x80\xaf|\xfc\x80\x80\x80\x80\xaf|\xe2\x88\x95|\xe2\x88\x96|\xef\xbc\x8f|\xef\xbc\xbc|\xef\x80\xa5|\xee\xbf\x88|%c0%qf|\xc0%qf|%c1%8s)"
JUNK = r"[\x00-\x1f?]{0,4}"
TRAVERSAL = crs.set("traversal", [
    r"(?:^|[^\w]|" + SEP + r")" + DOT + JUNK + DOT + JUNK + SEP,
    r"(?:^|" + SEP + r")" + DOT + DOT + r"(?:$|[;?#&])",
    SEP + DOT + JUNK + DOT + r"(?:$|" + SEP + r")",
    r"(?:" + JUNK + DOT + r"\W{0,4}" + SEP + r"){3,}",
])
SENSITIVE = crs.set("sensitive-files", [
    r"etc" + SEPX + r"(?:passwd|shadow|group|hosts|issue|motd|master\.passwd|sudoers|crontab|fstab|inittab|profile|bashrc|resolv\.conf|hostname|httpd|apache2?|nginx|mysql|php|ssh|security|network|sysconfig|os-release|redhat-release|lsb-release|passwd-|shadow-|init\.d|rc\.d|xinetd|syslog\.conf|ftpchroot|ftpusers|vsftpd)",
    r"(?:boot|win|system)\.ini\b", r"windows" + SEPX + r"(?:system32|win\.ini|repair|panther|debug)", r"system32" + SEPX + r"(?:config|drivers|inetsrv|cmd\.exe|logfiles)",
    r"\b(?:winnt|inetpub)\W{1,8}\w", r"\bproc\W{1,8}(?:self|\d+)\W{1,8}(?:environ|cmdline|fd|maps|status|mounts|exe|cwd|root|stat)",
    r"(?:^|\W)(?:var|usr|opt|logs?|apache\d?|httpd|nginx|xampp|lampp|local|srv|home|root|tmp)\W{1,8}(?:[\w.-]+\W{1,8}){0,5}(?:access|error|exim|ssl|suexec|rejectlog|mainlog|paniclog|xferlog|proftpd|auth|messages|secure|syslog|mail|debug|maillog|httpd|mysqld?)[._-]?(?:log|log\.\d|logs|_log)\b",
    r"(?:^|\W)(?:usr|etc|opt|var|apache\d?|httpd|conf|local|apps|xampp|lampp)\W{1,8}(?:[\w.-]+\W{1,8}){0,5}(?:httpd|apache2?|php|my|nginx|lighttpd|proftpd|pure-ftpd|vsftpd|smb|samba|squid|ssh|sshd_config|access|srm)\.(?:conf|ini|cnf)\b",
    r"(?:^|[^\w.])\.(?:htaccess|htpasswd|bash_history|bashrc|ssh\W{1,4}(?:id_[rd]sa|authorized_keys|known_hosts)|mysql_history|git\W{1,4}config|env)\b",
    r"\b(?:web|applicationhost)\.config\b", r"\bweb-inf\W{1,4}web\.xml\b", r"\bid_[rd]sa\b",
    r"(?:^|[^\w])(?:file|php|phar|zip|expect|glob|data|compress\.zlib|ssh2\.\w+)://",
    r"\bwp-config\.php\b", r"\bconfig\.inc\.php\b", r"\blocalsettings\.php\b", r"\.\w+~$",
])
for fname, field, t in (("QUERYARGUMENTS", ARGQ, DECU), ("URIPATH", URI, DECU),
                        ("BODY", ARGB, DECU), ("COOKIE", COOKIES, DECU), ("HEADER", HDRV, DECU)):
    crs.rule("GenericLFI_" + fname, any_of(rset(field, TRAVERSAL, t), rset(field, SENSITIVE, t)), "path-traversal",
             "Path traversal (../ in any encoding) or paths to sensitive files in the " + fname.lower())
RFI = crs.set("rfi", [
    r"^(?:url:)?(?:ftps?|jar|file|gopher|dict|tftp|ldap|php|phar|expect|data|zip|ssh2\.\w+|ogg|rar)(?::|%3a)",
    r"^(?:https?|ftps?)://(?:[^/?#]*@)?\d{1,3}(?:\.\d{1,3}){3}(?:[:/?#]|$)",
    r"^(?:https?|ftps?)://[^?#]+\?+$",
    r"(?:include|require|file|path|page|template|url|src|dir|document_root|root|folder|pg|style|pdf|php_path|doc)\w*=(?:https?|ftps?)://",
])
crs.rule("GenericRFI_QUERYARGUMENTS", rset(ARGV, RFI, DECU), "rfi",
         "Remote file inclusion: URLs with IP hosts, stream wrappers or trailing '?' in parameters")
crs.rule("RestrictedExtensions_URIPATH",
         regex(URI, r"\.(?:log|ini|bak|backup|old|orig|save|swp|swo|tmp|temp|sql|sqlite|db|mdb|dbf|env|cfg|conf|config|inc|key|pem|crt|p12|pfx|jks|keystore|passwd|htpasswd|htaccess|git|svn|dist|lock|yml|yaml|toml|properties|sh|bash|ps1|bat|cmd|dll|exe|asa|asax|cer|cdx|idq|ida|htr|htw|printer|shtml|jsp~|php~|~)$|~$",
               DECU), "path-traversal",
         "Requests for backup, configuration, secret and script files")
for fname, field, t in (("COOKIE", COOKIES, ("NONE",)), ("QUERYARGUMENTS", ARGQ, ("NONE",)),
                        ("BODY", ARGB, ("NONE",)), ("URIPATH", URI, ("NONE",)), ("HEADER", HDRV, ("NONE",))):
    crs.rule("CrossSiteScripting_" + fname, xss(field, t), "xss",
             "Cross-site scripting found by mamori's XSS detector in the " + fname.lower())
crs.write()

# ---------------------------------------------------------------- SQL database
sq = Group("AWSManagedRulesSQLiRuleSet", "awswaf:managed:aws:sql-database:",
           "SQL injection found by mamori's SQL tokenizer in parameters, path, cookies and headers.")
for fname, field in (("QUERYARGUMENTS", ARGQ), ("BODY", ARGB), ("COOKIE", COOKIES), ("URIPATH", URI),
                     ("HEADER", HDRV)):
    sq.rule("SQLi_" + fname, sqli(field), "sqli", "SQL injection in the " + fname.lower())
sq.write()

# ---------------------------------------------------------------- Linux
lx = Group("AWSManagedRulesLinuxRuleSet", "awswaf:managed:aws:linux-os:",
           "Local file inclusion of Linux system files.")
LINUX = lx.set("linux-files", [
    r"(?:^|\W)(?:etc|proc|sys|dev|var|root|home|usr|boot)\W{1,4}(?:passwd|shadow|self\W|cpuinfo|version|environ|tcp|udp|kcore|mem|\.ssh|\.bash)",
])
for fname, field, t in (("URIPATH", URI, DECU),
                        ("QUERYARGUMENTS", ARGS, DECU), ("HEADER", HDRV, DECU)):
    lx.rule("LFI_" + fname, rset(field, LINUX, t), "path-traversal", "Linux system file paths in the " + fname.lower())
lx.write()

# ---------------------------------------------------------------- POSIX shell
# commands that are also common English words need a shell-like argument
PROSE_CMDS = ("who|more|less|touch|find|set|time|make|test|file|cut|sort|join|split|yes|w|at|watch|write|last|"
              "host|mail|expand|fold|wall|ed|ex|nice|script|links|top|free|cd|ping|kill|head|tail|date|sleep|"
              "screen|source|exec|eval|export|history|alias|groups|mount|stat|true|false|batch|comm|paste|"
              "init|halt|finger|uptime|diff|cmp|print|bridge|iconv|seq|shuf|apt|dig|ss|nl|tac|ln|cp|mv|dd|"
              "od|tr|rev|wc|uniq|du|df|vi|ex|bc|expr|route|arp|zip|git|npm|pip|ip|su|sh|id|ps|ls|rm|cc|"
              "sed|awk|grep|tar|ftp|man|env|cat")
UNIX_CMDS = ("cat|tac|nl|head|tail|more|less|ls|dir|id|whoami|uname|hostname|ifconfig|ip|netstat|ss|ps|"
             "wget|curl|fetch|nc|ncat|netcat|socat|telnet|ssh|scp|tftp|ftp|bash|sh|zsh|ksh|csh|tcsh|dash|"
             "python[23]?|perl|ruby|php|node|lua|awk|gawk|sed|grep|egrep|find|xargs|echo|printf|ping|nslookup|"
             "dig|host|sleep|kill|killall|pkill|chmod|chown|chgrp|rm|rmdir|touch|mkdir|cp|mv|ln|dd|tar|gzip|"
             "gunzip|zcat|unzip|xz|unxz|bzip2|base64|xxd|od|strings|sort|uniq|wc|cut|tr|rev|env|printenv|export|"
             "set|unset|alias|history|crontab|sudo|su|passwd|useradd|usermod|groups|last|w|who|uptime|df|du|"
             "mount|lsof|systemctl|service|shutdown|reboot|halt|init|eval|exec|source|nohup|timeout|time|"
             "bridge|gcc|cc|make|apt|apt-get|yum|dnf|pip|npm|git|openssl|mknod|mkfifo|chattr|lsattr|getent|"
             "ldd|strace|ltrace|gdb|file|stat|readlink|basename|dirname|pwd|cd|test|true|false|nice|renice|"
             "at|batch|watch|screen|tmux|script|vi|vim|nano|ed|ex|diff|cmp|comm|join|paste|split|expand|fold|"
             "iconv|jq|zip|7z|rar|unrar|busybox|nmap|tcpdump|iptables|route|arp|traceroute|mail|sendmail|"
             "finger|whois|lynx|links|wall|write|bc|expr|seq|yes|shuf|openvt|chroot|runuser|pkexec|doas|"
             "aptitude|top|htop|free|vmstat|iostat|sar|dmesg|journalctl|lsblk|fdisk|hexdump|unlink|shred|wipe")
SEP_CMD = r"(?:[;|&`\n\r]|\$\(|\|\||&&)"
ARG = r"(?=\s*(?:$|[;|&`)<>\n\r]|-{1,2}\w|/|\$|\\|'|\"|\.{1,2}/|~|\d|\*|\{|\w+\.\w|\w+:)|\s+\S)"
UNIX = None
ux = Group("AWSManagedRulesUnixRuleSet", "awswaf:managed:aws:posix-os:",
           "Shell command injection on POSIX systems: command separators followed by commands "
           "with shell-like arguments, command substitution, IFS tricks, /dev/tcp.")
# commands that make sense alone on a line ("\nid\n"): not English words
LINE_CMDS = ("id|ls|ps|pwd|env|whoami|uname|hostname|ifconfig|netstat|wget|curl|nc|ncat|netcat|socat|bash|sh|zsh|"
             "ksh|dash|python[23]?|perl|ruby|php|sleep|reboot|shutdown|halt|dmesg|lsof|crontab|history|printenv")
STRONG_ARG = r"(?=\s+(?:-{1,2}\w|/|\$|~/|\.{1,2}/|[\w.-]*[/*]))"
UNIX = ux.set("unix-shell", [
    r"(?:[;|&`]|\$\(|\|\||&&)\s*(?:\{\s*)?(?:[\w./-]*/)?(?!(?:" + PROSE_CMDS + r")\b)(?:" + UNIX_CMDS + r")\b" + ARG,
    r"(?:[;|&`]|\$\(|\|\||&&)\s*(?:[\w./-]*/)?(?:" + PROSE_CMDS + r")(?:\s*$|\s*[;|&`)]|" + STRONG_ARG + r")",
    r"[\n\r][ \t]*(?:/[\w./-]*/)?(?:" + UNIX_CMDS + r")" + STRONG_ARG,
    r"[\n\r][ \t]*(?:" + LINE_CMDS + r")[ \t]*[\n\r]",
    r";[ \t]*(?:" + LINE_CMDS + r")[ \t]*[\n\r]",
    r"[;|&]\s*\$\{?\w+\}?\s+(?:" + UNIX_CMDS + r")\b",
    r"(?:^|[;|&])\s*(?:pip[x3]?|npm|gem|yum|dnf|apk|brew|cargo)\s+install\s+\S",
    r"\$\(\s*[\w./-]+[^)]*\)", r"`\s*(?:[\w./-]*/)?(?:" + UNIX_CMDS + r")\b[^`]*`", r"\$\{ifs\}|\$ifs\b|\$\{?ifs\$\d|\$\{\w+%?\W{0,3}\}",
    r"/dev/(?:tcp|udp)/", r"\b(?:bash|sh|zsh|ksh|dash)\s+-[ci]\b",
    r"(?:^|[;|&`\s(])/(?:usr/)?(?:local/)?s?bin/\w+",
    r"\b(?:nc|ncat|netcat)\b.{0,40}\s-[elcv]*e\s",
    r"\|\s*(?:sh|bash|zsh|ksh)\b",
    r"(?:^|[;|&\s])(?:cat|head|tail|nl|tac|od|xxd|strings|base64)\s+(?:[^\s;|&]*[/*]|/)",
    r"\{(?:[\w./-]*,)+[^}]*[a-z][^}]*\}", r"[;|&]\s*\w+\s*=\s*\$\(", r"\$\(\(\s*\d+\s*[-+*/%]\s*\d+\s*\)\)",
    r"^\s*(?:whoami|uname|ifconfig|netstat|pwd)\s*(?:-[a-z]+\s*)?$",
    r"^\s*(?:/[\w./-]*/)?(?:" + UNIX_CMDS + r")\s+(?:-{1,2}[a-z]\S*\s+)*(?:/[\w.*?-]|\.\.?/|~/|\$\{?\w|-{1,2}[a-z]\S*\s*$)",
    r"<<<\s*\w", r"~[+-0]?(?:$|/)", r"(?:^|[\s;|&])\w+=\$?\w*\s*;\s*\$\w+",
])
for fname, field, t in (("QUERYARGUMENTS", ARGQ, DECU),
                        ("BODY", ARGB, DECU),
                        ("HEADER", HDRV, DECU)):
    ux.rule("UNIXShellCommandsVariables_" + fname, rset(field, UNIX, t), "cmdi",
            "Shell command injection in the " + fname.lower())
ux.write()

# ---------------------------------------------------------------- Windows
wn = Group("AWSManagedRulesWindowsRuleSet", "awswaf:managed:aws:windows-os:",
           "Windows command injection: PowerShell and cmd.exe commands.")
WIN = wn.set("windows-shell", [
    r"\b(?:invoke-(?:webrequest|expression|restmethod|command|item|wmimethod|shellcode|mimikatz)|iwr|irm|iex|start-process|new-object\s+(?:system\.)?net\.webclient|downloadstring|downloadfile|-(?:enc|encodedcommand|nop|noprofile|windowstyle|executionpolicy)\b|set-executionpolicy|get-(?:process|childitem|content|wmiobject|service|acl|localuser)|remove-item|copy-item|out-file|frombase64string)\b",
    r"\b(?:cmd(?:\.exe)?\s*/[ckr]|powershell(?:\.exe)?|pwsh(?:\.exe)?|wscript|cscript|mshta|rundll32|regsvr32|certutil|bitsadmin|wmic|schtasks|reg\s+(?:add|query|delete)|net\s+(?:user|localgroup|share|use|view)|netsh|sc\s+(?:create|config|start|query)|taskkill|tasklist|vssadmin|bcdedit|whoami\s*/(?:all|priv|groups))\b",
    r"[;|&]\s*(?:dir|type|copy|del|erase|echo|ver|set|systeminfo|ipconfig|nslookup|ping|attrib|cacls|icacls|findstr|xcopy|robocopy|move|ren|mklink|start|call|bcdboot|shutdown|format|diskpart|label|subst|tree|more|fc|comp)\b(?:\s+(?:[a-z]:\\|\\\\|/[a-z?]|%\w+%|\.\\|-\w|<|>)|\s*$)",
    r"%(?:comspec|systemroot|windir|programfiles|userprofile|appdata|temp|tmp|homepath|computername|username|path|os|cd|random|date|time|errorlevel|cmdcmdline)%",
    r"\bfor\s+/[dflr]\b", r"\bfor\s+%%?[~\w-]+\s+in\s*\(", r"\bfor\s+%%?\w+\s+in\s*\(.*\)\s*do\b",
    r"\bif\s+(?:not\s+)?(?:exist|defined|errorlevel|cmdextversion)\s+\S+\s+(?:\(|echo|del|copy|call|goto|set|cmd|start|type|exit)",
    r"\bif\s+(?:/i\s+)?(?:not\s+)?(?:\"[^\"]*\"|%[~\w]+%?|\w+)\s*(?:==|\s(?:equ|neq|lss|leq|gtr|geq)\s)",
    r"%%[~\w]", r"%~[0-9a-z]",
    r"[\w\\]:\\(?:windows|winnt|users|inetpub|program files|boot\.ini)",
])
for fname, field, t in (("QUERYARGUMENTS", ARGQ, DECU),
                        ("BODY", ARGB, DECU),
                        ("HEADER", HDRV, DECU)):
    wn.rule("WindowsShellCommands_" + fname, rset(field, WIN, t), "cmdi",
            "PowerShell or cmd.exe command injection in the " + fname.lower())
wn.write()

# ---------------------------------------------------------------- PHP
PHP_FUNCS = ("eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|base64_decode|gzinflate|"
             "gzuncompress|str_rot13|create_function|call_user_func(?:_array)?|preg_replace|include(?:_once)?|"
             "require(?:_once)?|file_get_contents|file_put_contents|fopen|fwrite|fputs|unserialize|phpinfo|"
             "highlight_file|show_source|move_uploaded_file|readfile|fsockopen|pfsockopen|curl_exec|"
             "array_map|array_filter|usort|ob_start|extract|parse_str|putenv|ini_set|ini_get|dl|mail|"
             "get_defined_vars|getenv|chmod|chown|unlink|rmdir|mkdir|copy|rename|symlink|posix_\\w+|"
             "escapeshellarg|escapeshellcmd|var_dump|print_r|debug_zval_dump|serialize|gethostbyname|"
             "pg_\\w+|mysql_\\w+|mysqli_\\w+|opendir|scandir|glob|file|stream_get_contents|"
             "register_shutdown_function|register_tick_function|set_error_handler|set_exception_handler|"
             "iterator_apply|forward_static_call(?:_array)?|func_get_args|get_class_methods|"
             "reflectionfunction|invokeargs|chr|ord|hex2bin|bin2hex|strrev|urldecode|rawurldecode|"
             "hash_hmac|crypt|md5|sha1|session_start|header|setcookie|die|exit")
PHP_ONLY = ("shell_exec|passthru|proc_open|popen|pcntl_exec|base64_decode|gzinflate|gzuncompress|str_rot13|"
            "create_function|call_user_func(?:_array)?|file_get_contents|file_put_contents|fopen|fwrite|fputs|"
            "unserialize|phpinfo|highlight_file|show_source|move_uploaded_file|readfile|fsockopen|pfsockopen|"
            "curl_exec|assert_options|get_defined_vars|posix_\\w+|escapeshellarg|escapeshellcmd|var_dump|"
            "print_r|zlib_decode|gethostbyname|pg_\\w+|mysqli?_\\w+|stream_get_contents|"
            "register_shutdown_function|iterator_apply|hex2bin|bin2hex|strrev|rawurldecode|ucfirst|lcfirst|"
            "substr|str_replace|preg_\\w+|array_\\w+|intval|strtolower|strtoupper|unpack|serialize|"
            "ini_set|ini_get|extract|parse_str|putenv|getenv|opendir|scandir|symlink|chmod|chown|unlink")
ph = Group("AWSManagedRulesPHPRuleSet", "awswaf:managed:aws:php-app:",
           "PHP code injection: PHP tags, superglobals, high-risk functions, stream wrappers, "
           "serialized objects and configuration directives.")
PHP = ph.set("php", [
    r"<\?(?:php\b|=|[ \t\r\n])", r"<\?$",
    r"\b(?:" + PHP_ONLY + r")\s*\(",
    r"\b(?:" + PHP_FUNCS + r")[ \t]*(?:(?:#|//)[^\n]{0,80}\n|/\*[^*]{0,80}\*/)\s*\(",
    r"\$\w*\s*(?:(?:\[[^\]]*\]|\{[^}]*\}|(?:#|//)[^\n]*\n|/\*.*?\*/)\s*)+\(",
    r"\$\s*\{\s*['\"$]", r"['\"](?:system|exec|passthru|shell_exec|assert|eval|popen)['\"]\s*\(",
    r"\[\s*['\"]?(?:system|exec|passthru|shell_exec|assert|popen|proc_open)['\"]?\s*\]",
    r"\$(?:_(?:get|post|server|request|cookie|files|env|session)|globals|http_raw_post_data)\b",
    r"\b(?:" + PHP_FUNCS + r")\s*(?:/\*.*?\*/\s*)*[\s\x00-\x1f]*\(\s*(?:\$|['\"`]|\w+\s*\(|\[|chr\b|base64)",
    r"\b(?:php|phar|zlib|data|glob|expect|ssh2\.\w+|rar|ogg|zip|compress\.(?:zlib|bzip2))://",
    r"\b[oca]:\d+:\"[\w\\]+\":\d+:\{", r"\ba:\d+:\{(?:[sidb]:\d+)", r"\b[oc]:\d+:\"",
    r"\b(?:allow_url_(?:include|fopen)|auto_(?:prepend|append)_file|disable_functions|open_basedir|safe_mode|register_globals|mbstring\.\w+|pcre\.\w+|session\.\w+|zend\.\w+|opcache\.\w+|phar\.\w+|display_errors|error_log|extension_dir|include_path|sendmail_path|upload_tmp_dir|user_ini\.\w+)\s*=",
    r"\$\w+\s*\(\s*[^)]*\)\s*;?", r"\(\s*['\"]?\w+['\"]?\s*\)\s*\(\s*['\"]", r"\$\{\s*['\"]\w+['\"]\s*\}",
    r"\$_\[[^\]]*\]\s*\(", r"\[\\php\]|\bsomephpwouldgohere\b",
])
for fname, field, t in (("QUERYARGUMENTS", ARGQ, DECU),
                        ("BODY", ARGB, DECU),
                        ("URIPATH", URI, DECU),
                        ("HEADER", HDRV, DECU),
                        ("COOKIE", COOKIES, DECU)):
    ph.rule("PHPHighRiskMethodsVariables_" + fname, rset(field, PHP, t), "php-injection",
            "PHP code injection in the " + fname.lower())
ph.write()

# ---------------------------------------------------------------- mamori: injection classes CRS misses
mi = Group("MamoriManagedRulesInjectionRuleSet", "awswaf:managed:mamori:injection:",
           "Injection classes outside SQL and XSS: NoSQL operators, LDAP filters, server-side "
           "templates, SSI, XXE, CRLF / response splitting, prototype pollution, Node.js and "
           "GraphQL introspection, session fixation.", vendor="mamori")
NOSQL = mi.set("nosql", [
    r"^\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|elemmatch|all|size|type|mod|text|function|accumulator|lookup|jsonschema)$",
    r"\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr|elemmatch|all|size|type|mod|text|function|accumulator|lookup|jsonschema)\b\s*['\"]?\s*[:\]]",
    r"\[\s*\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|nor|not|expr)\s*\]",
    r"\bdb\.\w+\.(?:insert|find|update|remove|drop|aggregate|mapreduce|findone|deletemany|updatemany)\w*\s*\(",
    r"\bthis\.\w+\s*(?:==|!=|>|<)|\bsleep\s*\(\s*\d+\s*\)\s*\|\|",
])
LDAP = mi.set("ldap", [
    r"\*\s*\)\s*\(\s*[|&!]", r"\)\s*\(\s*[|&!]\s*\(", r"\)\s*\(\s*\w+\s*[<>~]?=\s*\*?\s*\)",
    r"\(\s*(?:objectclass|cn|uid|mail|samaccountname|userpassword|member|ou|dc)\s*[<>~]?=\s*\*\s*\)",
    r"^\s*\*\s*\)\s*\(", r"\b(?:userpassword|objectclass|samaccountname|unicodepwd):[\d.]+:=",
    r"\)\s*\(\s*&\s*\)|\)\s*\(\s*\|\s*\)",
])
SSTI = mi.set("ssti", [
    r"\{\{[^}]{0,200}(?:__class__|__mro__|__subclasses__|__globals__|__builtins__|__import__|config\.|self\.|request\.application|lipsum|cycler|joiner|namespace|\|attr|getattribute|constructor|\d\s*[*+]\s*\d)",
    r"\{%[^%]{0,200}(?:import|include|extends|set|for|if|debug|load|exec)\b[^%]{0,200}%\}",
    r"<#(?:assign|import|include|list|if)\b", r"\?new\s*\(\s*\)", r"freemarker\.template\.utility\.\w+",
    r"\$\{[^}]{0,100}(?:\d\s*[*+]\s*\d|getclass|class\.forname|runtime|\.exec\(|t\s*\(\s*java)",
    r"#\{\s*\d+\s*[*+]\s*\d+\s*\}", r"\*\{[^}]*(?:t\s*\(|getclass)", r"\[\[\$\{",
    r"#set\s*\(\s*\$\w+", r"\$\w+\.getclass\(\)", r"\{\{\s*\d+\s*[*+]\s*\d+\s*\}\}",
    r"\{php\}|\{/php\}|\{\$smarty\.", r"<%=?\s*(?:runtime|system|`|exec|eval|process)",
    r"\{\{\s*(?:range|define|template|block|call)\b", r"<%=?\s*\d+\s*[*+]\s*\d+\s*%>",
])
SSI = mi.set("ssi", [r"<!--\s*#\s*(?:exec|include|echo|config|set|printenv|fsize|flastmod|if)\b",
                     r"<esi:(?:include|inline|vars|eval|choose|when|otherwise|try|attempt|except|debug)\b"])
XXE = mi.set("xxe", [
    r"<!entity\s+(?:%\s*)?[\w.-]+\s+(?:system|public)\b", r"<!doctype\s+\w+\s*(?:\[|system\b|public\b)",
    r"<!entity\s+%", r"&#x25;\s*\w+", r"\bxsi:schemalocation\s*=\s*['\"][^'\"]*(?:https?|ftp|file)://",
    r"<xi:include\b|\bxmlns:xi\s*=", r"<!doctype[^>]*\[\s*<!element\b", r"<\?xml-stylesheet\b",
])
CRLF = mi.set("crlf", [
    r"[\r\n]\s*(?:mail\s+from\s*:|rcpt\s+to\s*:|(?:helo|ehlo|vrfy|expn)\s+\S+|auth\s+\w+|starttls|(?:data|help|quit|rset|noop|stat|retr|dele|uidl|list|user|pass)(?:\s+\S+)?\s*(?:[\r\n]|$))",
    r"[\r\n]\s*\w{1,8}\s+(?:login|select|examine|create|rename|lsub|status|append|check|expunge|search|fetch|store|uid|capability|logout|authenticate)\b",
    r"[\r\n]\s*(?:set-cookie|location|content-(?:type|length|disposition)|refresh|x-[\w-]+|access-control-[\w-]+|transfer-encoding|cache-control|host|http/\d)\s*:",
    r"[\r\n]\s*(?:get|post|put|head|delete|options|patch|connect|trace)\s+\S+\s+http/\d",
    r"[\r\n]\s*http/\d(?:\.\d)?\s+\d{3}",
])
PROTO = mi.set("prototype-pollution", [
    r"__proto__", r"\bconstructor\s*(?:\.|\[\s*['\"]?)\s*prototype\b", r"\bconstructor\]\[prototype\]",
])
NODE = mi.set("nodejs", [
    r"\brequire\s*\(\s*['\"`](?:child_process|fs|net|vm|os|http|process)['\"`]\s*\)", r"\bchild_process\b",
    r"\bprocess\s*\.\s*(?:mainmodule|binding|env|exit|kill|dlopen)\b", r"\bprocess\s*\[", r"_\$\$nd_func\$\$_",
    r"\bmodule\s*\.\s*(?:exports|constructor|require)\b", r"\bglobal\s*\.\s*process\b",
    r"\bnew\s+function\s*\(", r"\bfunction\s*\(\s*\)\s*\{[^}]*\}\s*\(\s*\)",
    r"\bwhile\s*\(\s*[!+\-~]*\s*(?:\d+|infinity|nan|\[\s*\]|\{\s*\})\s*\)",
    r"\bfor\s*\(\s*;\s*;\s*\)", r"\brequire\s*\.\s*main\b",
    r"@@?\{\s*\[", r"\bconsole\s*\.\s*(?:log|info|warn|error|debug|dir|table|trace)\s*\(",
    r"\bwhile\s*\(\s*[!(]*\s*(?:false|string|number|object|boolean|new\s+\w+|''|\"\"|``)\s*\)*\s*\)",
    r"\bwhile\s*\(\s*\(+\s*true\s*\)+\s*\)", r"\bthis\.constructor\.constructor\b",
    r"\bprocess\s*\.\s*\w+\s*\(", r"\[\s*['\"]constructor['\"]\s*\]",
])
GRAPHQL = mi.set("graphql", [r"\b__schema\s*\{", r"\bintrospectionquery\b", r"\b__type\s*\(\s*name\s*:"])
ORM = mi.set("orm-lookup", [r"^\w+(?:__\w+)*__(?:startswith|istartswith|endswith|iendswith|contains|icontains|regex|iregex|exact|iexact|gt|gte|lt|lte|in|isnull|range|search)$"])
SESSION = mi.set("session-fixation", [
    r"^(?:phpsessid|jsessionid|aspsessionid\w*|asp\.net_sessionid|cfid|cftoken|sid|sessionid|session_id|sessid|weblogicsession|ci_session|connect\.sid|laravel_session|_session_id|__secure-next-auth\.session-token|next-auth\.session-token|rack\.session|express:sess|jsessionidsso|zm_?session)$",
])
for name, s, cls, desc in (("NoSQLi", NOSQL, "nosql-injection", "MongoDB-style operators and server-side JavaScript"),
                           ("LDAPi", LDAP, "ldap-injection", "LDAP filter injection"),
                           ("SSTI", SSTI, "ssti", "Server-side template injection"),
                           ("SSI_ESI", SSI, "ssi", "Server-side and edge-side include directives"),
                           ("PrototypePollution", PROTO, "generic-injection", "JavaScript prototype pollution"),
                           ("NodeJSInjection", NODE, "generic-injection", "Node.js code injection and denial of service loops"),
                           ("GraphQLIntrospection", GRAPHQL, "graphql", "GraphQL schema introspection")):
    mi.rule(name + "_ARGS", any_of(rset(ARGS, s, DECU), rset(URI, s, DECU),
                                   rset(HDRV, s, DECU)), cls,
            desc + " in parameters, path or headers")
mi.rule("XXE_BODY", any_of(rset(BODY, XXE, DECU), rset(ARGV, XXE, DECU)), "xxe",
        "XML external entities, external DTDs and XInclude")
mi.rule("CRLFInjection_ARGS", any_of(rset(ARGS, CRLF, DECU),
                                     rset(URI, CRLF, DECU)), "crlf",
        "CRLF injection: response splitting and request smuggling through encoded line breaks")
mi.rule("DjangoORMLookup_ARGS", rset(ARGS, ORM, DECU), "generic-injection",
        "ORM lookup operators in parameter names (filter injection)")
mi.rule("SessionFixation_QUERYARGUMENTS",
        rset(ARGQ, SESSION, DECU), "session-fixation",
        "A session identifier set through a request parameter (session fixation)")
mi.write()
