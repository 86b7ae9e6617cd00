"""Inspección de un archivo de respaldo sin tocar ninguna base: existe, está completo, su
SHA-256 coincide con el manifiesto, su formato se reconoce por el contenido y, si es SQL
plano, no trae metacomandos de psql."""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amauta_cli.errores import DatosInvalidos, NoEncontrado
from amauta_cli.textos import entero

from .archivos import sha256_de
from .comun import BLOQUE, MOTOR_DE_FORMATO
from .manifiesto import PATRON_NOMBRE, leer_manifiesto, ruta_manifiesto

#: Pie que ``pg_dump`` escribe al final de un volcado SQL completo.
PIE_SQL = b"PostgreSQL database dump complete"


@dataclass(frozen=True)
class Inspeccion:
    archivo: Path
    manifiesto: dict[str, Any] | None
    #: custom | sql | sql.gz (PostgreSQL) · sqlite.gz | sqlite (SQLite)
    formato: str
    tamano: int
    #: El SHA-256 del manifiesto que falta comprobar (``inspeccionar(diferir_sha=True)`` de un
    #: volcado custom): la restauración lo calcula mientras alimenta a ``pg_restore``, en una
    #: sola lectura del archivo, y no confirma la transacción si no coincide.
    sha256_pendiente: str | None = None

    @property
    def motor(self) -> str:
        return MOTOR_DE_FORMATO[self.formato]

    @property
    def n_tablas(self) -> int | None:
        return len((self.manifiesto or {}).get("tablas") or {}) or None


def detectar_formato(archivo: Path) -> str:
    """El formato por el contenido del archivo (no por su nombre)."""
    with open(archivo, "rb") as f:
        cabeza = f.read(4096)
        f.seek(257)
        tar = f.read(5)
    if cabeza.startswith(b"PGDMP"):
        return "custom"
    if cabeza.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if cabeza.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(archivo, "rb") as g:
                interior = g.read(4096)
        except (OSError, EOFError):
            raise DatosInvalidos(f"{archivo} está dañado: no se puede descomprimir.") from None
        if interior.startswith(b"SQLite format 3\x00"):
            return "sqlite.gz"
        if _parece_sql(interior):
            return "sql.gz"
    elif tar == b"ustar":
        raise DatosInvalidos(
            f"{archivo} es un volcado de pg_dump en formato tar, que amauta no restaura: "
            "use `pg_restore` directamente, o haga el respaldo con `amauta db backup`."
        )
    elif _parece_sql(cabeza):
        return "sql"
    raise DatosInvalidos(
        f"{archivo} no es un respaldo que amauta reconozca: se esperaba un volcado de pg_dump "
        "(custom o SQL) o una base SQLite (.db o .db.gz)."
    )


def _parece_sql(cabeza: bytes) -> bool:
    texto = cabeza.lstrip(b"\xef\xbb\xbf").lstrip()
    return b"PostgreSQL database dump" in cabeza or texto.startswith(
        (b"--", b"SET ", b"CREATE ", b"BEGIN", b"\\restrict", b"SELECT ")
    )


# --- Metacomandos de psql ------------------------------------------------------------------------
class MetacomandoEnRespaldo(DatosInvalidos):
    """Un volcado SQL trae un metacomando de psql (``\\!``, ``\\o``, ``\\i``, ``\\copy``...)."""


#: Fuera de los datos de COPY: una línea que empieza (tras blancos) con ``\``, o la línea
#: ``COPY ... FROM stdin;`` con la que pg_dump abre un bloque de datos.
_INTERESANTE = re.compile(rb"^[ \t\f\v\r]*\\[^\n]*|^COPY [^\n]* FROM stdin;\r?$", re.M)
#: Lo único que pg_dump (≥ 13.22/14.19/15.14/16.10/17.6) escribe con ``\``: entrar y salir
#: del modo restringido de psql. amauta quita esas líneas y pone su propia clave.
_RESTRICT = re.compile(rb"[ \t\f\v\r]*\\(?:un)?restrict [A-Za-z0-9]{1,256}[ \t\r]*")


class FiltroSQL:
    """Lee un volcado SQL por bloques y devuelve lo que puede llegar a psql.

    Sigue los bloques ``COPY ... FROM stdin;`` … ``\\.`` (sus datos pueden empezar con
    ``\\``: ``\\N`` es NULL), quita los ``\\restrict``/``\\unrestrict`` de pg_dump y rechaza
    cualquier otra línea que empiece con ``\\`` fuera de los datos: un metacomando de psql
    (``\\!`` corre un programa, ``\\o``/``\\w`` escriben archivos, ``\\i`` los lee...).

    Un metacomando escondido a mitad de una línea no se ve aquí: eso lo frena el modo
    restringido de psql (``\\restrict``), con el que amauta siempre llama a psql.
    """

    def __init__(self, nombre: str):
        self.nombre = nombre
        self.en_copy = False
        self.lineas = 0
        self._resto = b""

    def filtrar(self, bloque: bytes) -> bytes:
        datos = self._resto + bloque
        corte = datos.rfind(b"\n") + 1
        self._resto = datos[corte:]
        if not corte:
            return b""
        return self._procesar(datos[:corte])

    def terminar(self) -> bytes:
        datos, self._resto = self._resto, b""
        return self._procesar(datos) if datos else b""

    def _procesar(self, datos: bytes) -> bytes:
        piezas: list[bytes] = []
        pos = desde = 0
        n = len(datos)
        while pos < n:
            if self.en_copy:
                fin = _fin_copy(datos, pos)
                if fin < 0:
                    break
                self.en_copy = False
                pos = fin
                continue
            m = _INTERESANTE.search(datos, pos)
            if m is None:
                break
            linea = m.group()
            if linea.startswith(b"COPY "):
                self.en_copy = True
            elif _RESTRICT.fullmatch(linea):
                # Se quita la línea (con su salto): amauta pone su propio \restrict.
                piezas.append(datos[desde : m.start()])
                desde = m.end() + 1
            else:
                numero = self.lineas + datos.count(b"\n", 0, m.start()) + 1
                raise MetacomandoEnRespaldo(
                    f"El volcado SQL {self.nombre} tiene un metacomando de psql en la línea "
                    f"{numero} ({_vista(linea)}): amauta no restaura ni verifica volcados con "
                    "metacomandos, que pueden correr programas en esta máquina o leer y escribir "
                    "sus archivos. Un volcado de pg_dump no los tiene (salvo \\restrict y "
                    "\\unrestrict). No se tocó ninguna base."
                )
            pos = m.end() + 1
        self.lineas += datos.count(b"\n")
        if not piezas:
            return datos
        piezas.append(datos[desde:])
        return b"".join(piezas)


def _fin_copy(datos: bytes, pos: int) -> int:
    """Dónde sigue ``datos`` después de la línea ``\\.`` que cierra los datos de un COPY
    (buscando desde ``pos``, un principio de línea), o -1 si no está."""
    if datos.startswith(b"\\.", pos):
        i = pos - 1  # la línea empieza justo en pos (el salto anterior quedó en el bloque previo)
    else:
        i = datos.find(b"\n\\.", pos)
        if i < 0:
            return -1
    while True:
        j = i + 3
        if j == len(datos):
            return j
        if datos[j : j + 1] == b"\n":
            return j + 1
        if datos[j : j + 2] == b"\r\n":
            return j + 2
        i = datos.find(b"\n\\.", i + 1)
        if i < 0:
            return -1


def _vista(linea: bytes) -> str:
    texto = linea.strip().decode("utf-8", "replace")
    texto = "".join(c if c.isprintable() else "?" for c in texto)
    return texto if len(texto) <= 60 else texto[:57] + "..."


def revisar_sql(archivo: Path, comprimido: bool) -> bool:
    """Lee todo el volcado SQL con ``FiltroSQL`` (lanza si trae un metacomando). Devuelve si
    termina con el pie que pg_dump escribe al terminar."""
    filtro = FiltroSQL(archivo.name)
    cola = b""
    try:
        with open(archivo, "rb") as f:
            descomprimir = zlib.decompressobj(16 + zlib.MAX_WBITS) if comprimido else None
            while bloque := f.read(BLOQUE):
                if descomprimir is not None:
                    bloque = descomprimir.decompress(bloque)
                    while descomprimir.eof and descomprimir.unused_data:  # gzip de varios miembros
                        resto = descomprimir.unused_data
                        descomprimir = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        bloque += descomprimir.decompress(resto)
                filtro.filtrar(bloque)
                cola = (cola + bloque)[-4096:]
            if descomprimir is not None and not descomprimir.eof:
                return False
    except zlib.error:
        raise DatosInvalidos(f"{archivo.name} está dañado: no se puede descomprimir.") from None
    filtro.terminar()
    return PIE_SQL in cola


def mensaje_sha_distinto(archivo: Path, despues: bool = False) -> str:
    return (
        f"El respaldo {archivo.name} está dañado: su SHA-256 no coincide con el del manifiesto. "
        + ("La restauración se deshizo: la base quedó como estaba." if despues else "No se tocó ninguna base.")
    )


def _es_custom(archivo: Path) -> bool:
    with open(archivo, "rb") as f:
        return f.read(5) == b"PGDMP"


def inspeccionar(archivo: Path, exigir_manifiesto: bool = True, diferir_sha: bool = False) -> Inspeccion:
    """Comprueba un respaldo sin tocar ninguna base: existe, está completo, su SHA-256
    coincide con el manifiesto, se reconoce su formato y, si es SQL, no trae metacomandos.

    Con ``diferir_sha``, el SHA-256 de un volcado custom de PostgreSQL queda pendiente
    (``Inspeccion.sha256_pendiente``): quien restaura lo calcula en la misma lectura con la
    que alimenta a ``pg_restore`` y deshace la transacción si no coincide (una sola pasada por
    un archivo grande en lugar de dos)."""
    archivo = Path(archivo).expanduser()
    if not archivo.is_file():
        raise NoEncontrado(f"El respaldo {archivo} no existe.")
    manifiesto = leer_manifiesto(archivo)
    tamano = archivo.stat().st_size
    pendiente = None
    if manifiesto is None and exigir_manifiesto and PATRON_NOMBRE.match(archivo.name):
        raise DatosInvalidos(
            f"Falta el manifiesto {ruta_manifiesto(archivo).name} del respaldo {archivo.name}: "
            "sin él no se puede comprobar que el archivo esté completo y sin daños. Copie el "
            "manifiesto junto al archivo, o agregue --sin-manifiesto si confía en el archivo."
        )
    if manifiesto is not None:
        if tamano != manifiesto["tamano"]:
            raise DatosInvalidos(
                f"El respaldo {archivo.name} está incompleto o fue modificado: mide "
                f"{entero(tamano)} bytes y su manifiesto dice {entero(manifiesto['tamano'])}. "
                "No se tocó ninguna base."
            )
        if diferir_sha and _es_custom(archivo):
            pendiente = manifiesto["sha256"]
        elif sha256_de(archivo) != manifiesto["sha256"]:
            raise DatosInvalidos(mensaje_sha_distinto(archivo))
    formato = detectar_formato(archivo)
    insp = Inspeccion(archivo, manifiesto, formato, tamano, pendiente)
    if manifiesto is not None and manifiesto["motor"] != insp.motor:
        raise DatosInvalidos(
            f"El manifiesto de {archivo.name} dice {manifiesto['motor']} pero el archivo es de "
            f"{insp.motor}: no coinciden."
        )
    if formato in ("sql", "sql.gz"):
        completo = revisar_sql(archivo, formato == "sql.gz")
        if manifiesto is None and not completo:
            raise DatosInvalidos(
                f"El volcado SQL {archivo.name} está incompleto: no termina con la línea "
                f"'-- {PIE_SQL.decode()}' que pg_dump escribe al final. No se tocó ninguna base."
            )
    return insp
