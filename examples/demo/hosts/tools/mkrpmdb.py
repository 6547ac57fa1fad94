# Writes an rpm >= 4.16 SQLite database (the Packages table of header
# blobs) for the demo's Amazon Linux 2023 host.  Header layout: il, dl
# (big-endian), il index entries (tag, type, offset, count), data store.
import sqlite3, struct, sys, os
NAME, VERSION, RELEASE, EPOCH, SUMMARY, VENDOR, LICENSE, ARCH, SOURCERPM = 1000, 1001, 1002, 1003, 1004, 1011, 1014, 1022, 1044
STRING, INT32 = 6, 4
def header(tags):
    index, store = [], b""
    for tag, typ, val in tags:
        if typ == INT32:
            while len(store) % 4: store += b"\0"
            index.append((tag, typ, len(store), 1)); store += struct.pack(">i", val)
        else:
            index.append((tag, typ, len(store), 1)); store += val.encode() + b"\0"
    blob = struct.pack(">II", len(index), len(store))
    for e in index: blob += struct.pack(">IIII", *e)
    return blob + store
pkgs = [l.split("|") for l in """amazon-linux-repo-cdn||2023.2.20231113|0.amzn2023|noarch|system-release|Amazon Linux repository configuration
basesystem||11|13.amzn2023.0.2|noarch|basesystem|The skeleton package which defines a simple Amazon Linux system
bash||5.2.15|1.amzn2023.0.2|x86_64|bash|The GNU Bourne Again shell
ca-certificates||2023.2.60|1.0.amzn2023.0.2|noarch|ca-certificates|The Mozilla CA root certificate bundle
coreutils-single||8.32|30.amzn2023.0.3|x86_64|coreutils|coreutils multicall binary
crypto-policies||20220428|1.gitdfb10ea.amzn2023.0.2|noarch|crypto-policies|System-wide crypto policies
curl-minimal||8.2.1|1.amzn2023.0.2|x86_64|curl|Conservatively configured build of curl for minimal installations
dnf||4.14.0|1.amzn2023.0.4|noarch|dnf|Package manager
glibc||2.34|52.amzn2023.0.7|x86_64|glibc|The GNU libc libraries
glibc-common||2.34|52.amzn2023.0.7|x86_64|glibc|Common binaries and locale data for glibc
gnupg2-minimal||2.3.7|1.amzn2023.0.4|x86_64|gnupg2|A GNU utility for secure communication and data storage
gnutls||3.8.0|378.amzn2023.0.1|x86_64|gnutls|A TLS protocol implementation
java-17-amazon-corretto-headless|1|17.0.8+7|1.amzn2023.1|x86_64|java-17-amazon-corretto|Amazon Corretto headless development environment
krb5-libs||1.21|3.amzn2023.0.2|x86_64|krb5|The non-admin shared libraries used by Kerberos 5
libcurl-minimal||8.2.1|1.amzn2023.0.2|x86_64|curl|Conservatively configured build of libcurl for minimal installations
libnghttp2||1.55.1|1.amzn2023.0.1|x86_64|nghttp2|A library implementing the HTTP/2 protocol
libxml2||2.10.4|1.amzn2023.0.3|x86_64|libxml2|Library providing XML and HTML support
ncurses-libs||6.2|4.20200222.amzn2023.0.5|x86_64|ncurses|Ncurses libraries
openssh||8.7p1|8.amzn2023.0.4|x86_64|openssh|An open source implementation of SSH protocol version 2
openssh-server||8.7p1|8.amzn2023.0.4|x86_64|openssh|An open source SSH server daemon
openssl-libs|1|3.0.8|1.amzn2023.0.4|x86_64|openssl|A general purpose cryptography library with TLS implementation
python3||3.9.16|1.amzn2023.0.5|x86_64|python3.9|Python 3.9 interpreter
python3-libs||3.9.16|1.amzn2023.0.5|x86_64|python3.9|Python runtime libraries
rpm||4.16.1.3|12.amzn2023.0.6|x86_64|rpm|The RPM package management system
sqlite-libs||3.40.0|1.amzn2023.0.3|x86_64|sqlite|Shared library for the sqlite3 embeddable SQL database engine
sudo||1.9.15|1.p5.amzn2023.0.1|x86_64|sudo|Allows restricted root access for specified users
systemd-libs||252.16|1.amzn2023.0.1|x86_64|systemd|systemd libraries
system-release||2023.2.20231113|0.amzn2023|noarch|system-release|Amazon Linux release files
tzdata||2023c|1.amzn2023.0.1|noarch|tzdata|Timezone data
xz-libs||5.2.5|9.amzn2023.0.2|x86_64|xz|Libraries for decoding LZMA compression
zlib||1.2.11|33.amzn2023.0.5|x86_64|zlib|Compression and decompression library""".splitlines()]
out = sys.argv[1]
if os.path.exists(out): os.unlink(out)
db = sqlite3.connect(out)
db.executescript("""CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum));""")
rows = [("gpg-pubkey", "", "d832c631", "5f0e8cb9", "(none)", "", "Amazon Linux <amazon-linux@amazon.com> public key")] + \
       [(n, e, v, r, a, s, d) for n, e, v, r, a, s, d in pkgs]
for n, e, v, r, a, s, d in rows:
    tags = [(NAME, STRING, n), (VERSION, STRING, v), (RELEASE, STRING, r), (SUMMARY, STRING, d)]
    if e: tags.append((EPOCH, INT32, int(e)))
    tags += [(VENDOR, STRING, "Amazon Linux"), (LICENSE, STRING, "see the package")]
    if a != "(none)": tags.append((ARCH, STRING, a))
    if s: tags.append((SOURCERPM, STRING, f"{s}-{v}-{r}.src.rpm"))
    cur = db.execute("INSERT INTO Packages(blob) VALUES(?)", (header(tags),))
    db.execute("INSERT INTO Name VALUES(?,?,0)", (n, cur.lastrowid))
db.commit(); db.execute("VACUUM"); db.close()
