"""La base de datos objetivo: UN valor congelado, resuelto y validado una sola vez.

``resolver(opcion)`` toma la URL de ``--db-url``, ``AMAUTA_DATABASE_URL``, ``DATABASE_URL``
o la predeterminada (un archivo SQLite en ``$XDG_DATA_HOME/amauta/amauta.db``), la valida
y devuelve un :class:`Objetivo` con todo lo que el resto de amauta necesita saber de ella:
motor, URL para SQLAlchemy, URL enmascarada, ruta del archivo SQLite, nombre de la base y de
dónde salió. Nadie más interpreta cadenas de URL.

Formas aceptadas: ``postgresql://``, ``postgres://``, ``postgresql+psycopg://`` (cualquier
``postgresql+driver://`` se lleva a psycopg 3) y ``sqlite:///RUTA``. Todo lo demás se rechaza
con un mensaje en español que muestra las formas aceptadas.

La contraseña se oculta dondequiera que la URL la lleve (``usuario:clave@``, ``?password=``,
con ``/`` o ``@`` sin codificar) y solo ahí: enmascarar un mensaje no toca las palabras que
contengan por casualidad las letras de la contraseña.

Este módulo no importa SQLAlchemy: ``amauta --help`` debe ser rápido.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote

from amauta_cli.errores import AmautaError, NoEncontrado, OperacionRechazada

VARIABLES_URL = ("AMAUTA_DATABASE_URL", "DATABASE_URL")

FORMAS_ACEPTADAS = (
    "postgresql://usuario@host:5432/base (también postgres:// o postgresql+psycopg://) "
    "o sqlite:///ruta/al/archivo.db"
)

_ESQUEMA = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_EXTENSIONES_SQLITE = (".db", ".sqlite", ".sqlite3", ".db3")


class UrlInvalida(AmautaError):
    """La URL de la base no tiene una forma aceptada (error de uso: código 2)."""

    codigo_salida = 2


def ruta_sqlite_por_defecto() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "amauta" / "amauta.db"


@dataclass(frozen=True)
class Objetivo:
    """La base sobre la que trabaja un comando."""

    motor: str  # "postgresql" o "sqlite"
    url: str  # para SQLAlchemy (con contraseña, nunca se muestra)
    url_enmascarada: str
    origen: str  # "--db-url", "AMAUTA_DATABASE_URL", "DATABASE_URL" o "predeterminada"
    #: El archivo de una base SQLite (None en PostgreSQL y en ``sqlite:///:memory:``).
    ruta: Path | None = None
    #: El nombre de la base en PostgreSQL; la ruta del archivo en SQLite.
    nombre_base: str = ""
    host: str | None = None
    puerto: int | None = None
    usuario: str | None = None
    #: La contraseña tal como la lleva la URL (solo para enmascararla en mensajes).
    _contrasena: str | None = field(default=None, repr=False, compare=False)
    #: Las formas de la URL que pueden aparecer en un mensaje (la escrita, la normalizada).
    _formas: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def url_libpq(self) -> str:
        """La URL para libpq/psycopg (``postgresql://``, sin el driver de SQLAlchemy)."""
        return texto_sin_driver(self.url)

    @property
    def es_postgresql(self) -> bool:
        return self.motor == "postgresql"

    @property
    def es_sqlite(self) -> bool:
        return self.motor == "sqlite"

    @property
    def predeterminada(self) -> bool:
        return self.origen == "predeterminada"

    @property
    def donde(self) -> str:
        """Para mensajes: 'la base SQLite /x/amauta.db' o 'la base «amauta» en host:5432'."""
        if self.ruta is not None:
            return f"la base SQLite {self.ruta}"
        if self.es_sqlite:
            return "la base SQLite en memoria"
        return f"la base '{self.nombre_base}' en {self.host}:{self.puerto}"

    # --- Mensajes ------------------------------------------------------------------------
    def enmascarar(self, texto: str) -> str:
        """``texto`` sin la contraseña, allí donde una URL o una cadena de conexión la lleva."""
        if not texto:
            return texto
        for forma in self._formas:
            if forma and forma in texto:
                texto = texto.replace(forma, self.url_enmascarada)
        texto = enmascarar_en_texto(texto)
        pw = self._contrasena
        if pw:
            for variante in {pw, quote(pw, safe=""), quote(pw, safe="/@:")}:
                esc = re.escape(variante)
                # usuario:clave@  y  password=clave  (URL o cadena de conexión de libpq)
                texto = re.sub(rf"(:){esc}(@)", r"\1***\2", texto)
                texto = re.sub(
                    rf"(\bpassword\s*=\s*)(['\"]?){esc}\2(?=$|[\s&;,)'\"])",
                    r"\1\2***\2",
                    texto,
                    flags=re.I,
                )
        return texto

    # --- Archivos SQLite ------------------------------------------------------------------
    def exigir_existente(self) -> None:
        """Una base SQLite que no existe no se crea al pasar: se dice cómo crearla."""
        if self.ruta is None or self.ruta.is_file():
            return
        if self.ruta.exists():
            raise NoEncontrado(
                f"{self.ruta} no es un archivo de base SQLite (es una carpeta u otra cosa). "
                "Revise la URL de la base."
            )
        raise NoEncontrado(
            f"La base SQLite {self.ruta} no existe ({_de_donde(self.origen)}). "
            "Para crearla: `amauta db migrate` (esquema vacío), `amauta seed` (datos de "
            "desarrollo) o `amauta db restore RESPALDO` (desde un respaldo). Si esperaba otra "
            "base, revise la ruta."
        )

    def preparar_creacion(self) -> None:
        """Antes de que ``db migrate``, ``seed`` o ``db restore`` creen una base SQLite.

        La carpeta debe existir (la carpeta de datos predeterminada se crea la primera vez,
        con modo 700). El archivo nuevo se crea vacío con modo 600.
        """
        if self.ruta is None or self.ruta.exists():
            return
        self.exigir_carpeta()
        try:
            fd = os.open(self.ruta, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            return
        os.close(fd)
        # El umask puede haber quitado permisos de más, nunca dado de más; se fija igual.
        os.chmod(self.ruta, 0o600)

    def exigir_carpeta(self) -> None:
        """La carpeta de una base SQLite que se va a crear existe (la predeterminada se crea)."""
        if self.ruta is None:
            return
        carpeta = self.ruta.parent
        if not carpeta.is_dir():
            if self.predeterminada and self.ruta == ruta_sqlite_por_defecto():
                _crear_carpetas_privadas(carpeta)
            elif carpeta.exists():
                raise OperacionRechazada(
                    f"No se puede crear la base SQLite {self.ruta}: {carpeta} no es una carpeta."
                )
            else:
                raise OperacionRechazada(
                    f"No se puede crear la base SQLite {self.ruta}: la carpeta {carpeta} no "
                    f"existe. amauta no crea carpetas a partir de una URL (un error de tipeo "
                    f"crearía una base en otro lugar): créela con `mkdir -p {carpeta}` si es "
                    "la correcta, o corrija la ruta."
                )


def _crear_carpetas_privadas(carpeta: Path) -> None:
    faltan = []
    p = carpeta
    while not p.exists():
        faltan.append(p)
        p = p.parent
    for d in reversed(faltan):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)


def _de_donde(origen: str) -> str:
    if origen == "predeterminada":
        return "la base predeterminada, sin --db-url ni AMAUTA_DATABASE_URL"
    if origen == "--db-url":
        return "de --db-url"
    return f"de la variable {origen}"


# --- Resolución -----------------------------------------------------------------------------
def resolver(opcion: str | None = None) -> Objetivo:
    """El objetivo de la primera URL definida: ``--db-url``, las variables o la predeterminada."""
    if opcion:
        return desde_url(opcion, "--db-url")
    for var in VARIABLES_URL:
        valor = os.environ.get(var)
        if valor:
            return desde_url(valor, var)
    return desde_url(f"sqlite:///{ruta_sqlite_por_defecto()}", "predeterminada")


def desde_url(texto: str, origen: str = "--db-url") -> Objetivo:
    """Valida ``texto`` y construye el objetivo; ``UrlInvalida`` si no es una forma aceptada."""
    crudo = texto.strip()
    m = _ESQUEMA.match(crudo)
    if m is None:
        raise UrlInvalida(_mensaje_sin_esquema(crudo, origen))
    esquema = m.group(1).lower()
    motor, _, _driver = esquema.partition("+")
    if motor in ("postgresql", "postgres"):
        return _postgresql(crudo, crudo[m.end() :], origen)
    if motor == "sqlite" and _driver in ("", "pysqlite"):
        return _sqlite(crudo, crudo[m.end() :], origen)
    raise UrlInvalida(
        f"La URL de la base ({_de_donde_corto(origen)}) usa '{m.group(1)}://', un motor que "
        f"amauta no maneja: {enmascarar_en_texto(crudo)}. Formas aceptadas: {FORMAS_ACEPTADAS}."
    )


def _de_donde_corto(origen: str) -> str:
    return "--db-url" if origen == "--db-url" else origen


def _mensaje_sin_esquema(crudo: str, origen: str) -> str:
    mostrada = enmascarar_en_texto(crudo)
    inicio = f"La URL de la base ({_de_donde_corto(origen)}) no es válida: '{mostrada}'."
    formas = f" Formas aceptadas: {FORMAS_ACEPTADAS}."
    m = re.match(r"^(postgres(?:ql)?(?:\+[a-z0-9_]+)?|sqlite)(:/{0,1}|//|:/{4,})(.*)$", crudo, re.I)
    if m and crudo.lower().startswith("postgres"):
        sugerida = enmascarar_en_texto(f"{m.group(1)}://{m.group(3).lstrip('/')}")
        return f"{inicio} ¿Quiso decir `{sugerida}`?{formas}"
    if m and crudo.lower().startswith("sqlite"):
        return f"{inicio} ¿Quiso decir `sqlite:///{_absoluta(m.group(3))}`?{formas}"
    if _parece_ruta(crudo):
        return (
            f"{inicio} Una ruta a un archivo se escribe como URL: ¿quiso decir "
            f"`sqlite:///{_absoluta(crudo)}`?{formas}"
        )
    return inicio + formas


def _parece_ruta(texto: str) -> bool:
    if not texto or " " in texto.strip() and "/" not in texto:
        return False
    return (
        "/" in texto
        or texto.startswith(("~", "."))
        or texto.lower().endswith(_EXTENSIONES_SQLITE)
    )


def _absoluta(ruta: str) -> str:
    return str(Path(ruta).expanduser().absolute())


def _postgresql(crudo: str, resto: str, origen: str) -> Objetivo:
    # El resto es [usuario[:clave]@]host[:puerto][/base][?consulta]. La clave puede traer
    # '/' o '@' sin codificar: la información de usuario termina en la ÚLTIMA '@' antes de
    # la consulta, y la base empieza en la primera '/' después de ella.
    cuerpo, signo, consulta = resto.partition("?")
    usuario = clave_en_info = None
    if "@" in cuerpo:
        info, _, cuerpo = cuerpo.rpartition("@")
        if ":" in info:
            usuario, _, clave_en_info = info.partition(":")
            clave_en_info = unquote(clave_en_info)
        else:
            usuario = info
        usuario = unquote(usuario) or None
    hostport, _, base = cuerpo.partition("/")
    host, puerto = hostport, None
    if hostport.startswith("["):  # IPv6 [::1]:5432
        cierre = hostport.find("]")
        host, resto_puerto = hostport[: cierre + 1], hostport[cierre + 1 :]
        if resto_puerto.startswith(":"):
            puerto = resto_puerto[1:]
    elif ":" in hostport:
        host, _, puerto = hostport.rpartition(":")
    numero: int | None = None
    if puerto:
        if not puerto.isdigit() or not 0 < int(puerto) < 65536:
            raise UrlInvalida(
                f"La URL de la base ({_de_donde_corto(origen)}) tiene un puerto inválido "
                f"('{puerto}'): {enmascarar_en_texto(crudo)}. Formas aceptadas: {FORMAS_ACEPTADAS}."
            )
        numero = int(puerto)
    base = unquote(base)
    pares = parse_qsl(consulta, keep_blank_values=True) if signo else []
    pw_consulta = next((v for k, v in pares if k.lower() == "password"), None)
    contrasena = clave_en_info or pw_consulta
    # La URL para SQLAlchemy, con usuario y clave codificados (una '/' o '@' en la clave
    # no confunde a nadie más).
    info = info_masc = ""
    if usuario is not None or clave_en_info is not None:
        info = info_masc = quote(usuario or "", safe="")
        if clave_en_info is not None:
            info += ":" + quote(clave_en_info, safe="")
            info_masc += ":***"
        info += "@"
        info_masc += "@"
    ruta_base = "/" + quote(base, safe="") if base else ""
    # La consulta también codificada: una '@' o '/' en ``?password=`` confundiría al parser.
    consulta_cod = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pares)
    url = f"postgresql+psycopg://{info}{hostport}{ruta_base}{'?' + consulta_cod if signo else ''}"
    consulta_masc = "&".join(
        f"{k}={'***' if k.lower() == 'password' else v}" for k, v in pares
    )
    url_masc = (
        f"postgresql+psycopg://{info_masc}{hostport}{'/' + base if base else ''}"
        f"{'?' + consulta_masc if signo else ''}"
    )
    formas = tuple(sorted({crudo, url, texto_sin_driver(url)}, key=len, reverse=True))
    return Objetivo(
        motor="postgresql",
        url=url,
        url_enmascarada=url_masc,
        origen=origen,
        ruta=None,
        nombre_base=base or (usuario or ""),
        host=(host.strip("[]") or "localhost"),
        puerto=numero or 5432,
        usuario=usuario,
        _contrasena=contrasena or None,
        _formas=formas,
    )


def texto_sin_driver(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _sqlite(crudo: str, resto: str, origen: str) -> Objetivo:
    # sqlite:///RUTA → resto = "/RUTA"; sqlite:// (memoria) → resto = "".
    cuerpo, signo, consulta = resto.partition("?")
    if cuerpo in ("", "/:memory:", "/"):
        url = "sqlite://" + ("/:memory:" if cuerpo else "")
        return Objetivo("sqlite", url, url, origen, None, ":memory:", _formas=(crudo,))
    if not cuerpo.startswith("/"):
        raise UrlInvalida(
            f"La URL de la base ({_de_donde_corto(origen)}) no es válida: '{crudo}'. Un "
            f"archivo SQLite se escribe con tres barras: ¿quiso decir "
            f"`sqlite:///{_absoluta(cuerpo)}`? Formas aceptadas: {FORMAS_ACEPTADAS}."
        )
    ruta_txt = cuerpo[1:]
    if not ruta_txt:
        raise UrlInvalida(
            f"La URL de la base ({_de_donde_corto(origen)}) no nombra ningún archivo: '{crudo}'. "
            f"Formas aceptadas: {FORMAS_ACEPTADAS}."
        )
    ruta = Path(ruta_txt).expanduser()
    if not ruta.is_absolute():
        ruta = Path.cwd() / ruta
    url = f"sqlite:///{ruta_txt}{'?' + consulta if signo else ''}"
    return Objetivo(
        motor="sqlite",
        url=url,
        url_enmascarada=url,
        origen=origen,
        ruta=ruta,
        nombre_base=str(ruta),
        _formas=(crudo,),
    )


# --- Enmascarar sin objetivo ------------------------------------------------------------------
_USERINFO = re.compile(r"(//)([^\s:/@'\"`]*):[^\s]*@(?=[^\s@]*(?:\s|$))")
_PASSWORD_PARAM = re.compile(r"(\bpassword\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s&;,)'\"]+)", re.I)


def enmascarar_en_texto(texto: str) -> str:
    """Oculta contraseñas de URL (``usuario:clave@``) y de ``password=`` en un texto cualquiera.

    Sirve cuando no hay objetivo (una URL rechazada). La clave de una URL termina en la
    última '@' de la URL, así que una '@' o '/' sin codificar dentro de la clave no la
    deja a la vista.
    """
    if not texto:
        return texto
    texto = _USERINFO.sub(r"\1\2:***@", texto)

    def _param(m: re.Match[str]) -> str:
        valor = m.group(2)
        if valor[:1] in "'\"":
            return f"{m.group(1)}{valor[0]}***{valor[0]}"
        return f"{m.group(1)}***"

    return _PASSWORD_PARAM.sub(_param, texto)
