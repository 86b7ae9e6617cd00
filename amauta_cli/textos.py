"""El único hogar del texto en español para personas: números, notas, porcentajes,
duraciones, tamaños, fechas, días de la semana, plurales, el plegado de acentos y el orden
alfabético español.

Los separadores (coma decimal, punto de miles) son los de los datos de ``es_AR`` de Babel
(verificados en las pruebas); el formateo en sí es aritmética de Python, para que una tabla de cientos de miles de filas cueste
lo mismo que escribirla en CSV. JSON y CSV (para scripts) no pasan por aquí: usan punto
decimal y fechas ISO.

Nada de SQLAlchemy ni Rich: este módulo se importa en el arranque de cualquier comando.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime

LOCALE = "es_AR"

_MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)
_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


#: Separador decimal y de miles de ``es_AR``: los de los datos CLDR de Babel (la prueba
#: ``tests/test_textos.py`` los compara con ``babel.numbers``). Constantes aquí: cargar los datos
#: de Babel en cada proceso costaría ~100 ms de arranque para dos caracteres.
DECIMAL = ","
MILES = "."
_COMA = DECIMAL


def _simbolos() -> tuple[str, str]:
    """(separador decimal, separador de miles) de ``es_AR`` (``,`` y ``.``)."""
    return DECIMAL, MILES


def _agrupar(digitos: str) -> str:
    """``'1234567'`` → ``'1.234.567'`` (el grupo de miles desde 4 cifras, como en es_AR)."""
    if len(digitos) <= 3:
        return digitos
    _, miles = _simbolos()
    cabeza = len(digitos) % 3 or 3
    partes = [digitos[:cabeza]] + [digitos[i : i + 3] for i in range(cabeza, len(digitos), 3)]
    return miles.join(partes)


# --- Números ----------------------------------------------------------------------------------
def entero(n: int | float | None) -> str:
    """``1234`` → ``'1.234'``; ``None`` → ``''``."""
    if n is None:
        return ""
    n = int(n)
    if -1000 < n < 1000:
        return str(n)
    signo = "-" if n < 0 else ""
    return signo + _agrupar(str(abs(n)))


def numero(valor: float | int | None, decimales: int | None = None, recortar: bool = True) -> str:
    """Un número con coma decimal y punto de miles.

    ``decimales=None``: hasta 2 decimales, sin ceros de más (``1.5`` → ``'1,5'``,
    ``2.0`` → ``'2'``). Con ``decimales=n`` y ``recortar=False``, siempre ``n``.
    """
    if valor is None:
        return ""
    if isinstance(valor, bool):  # pragma: no cover - un bool no es un número para personas
        return "sí" if valor else "no"
    if isinstance(valor, int) and decimales is None:
        return entero(valor)
    x = float(valor)
    if decimales is None and -999.995 < x < 999.995:
        # Camino rápido (notas, promedios, porcentajes): sin miles que agrupar.
        t = f"{x:.2f}".rstrip("0").rstrip(".")
        if t == "-0":
            t = "0"
        return t.replace(".", _COMA or _simbolos()[0])
    if math.isnan(x) or math.isinf(x):
        return "—"
    d = 2 if decimales is None else decimales
    texto = f"{abs(x):.{d}f}"
    ent, _, frac = texto.partition(".")
    if recortar or decimales is None:
        frac = frac.rstrip("0")
    coma, _ = _simbolos()
    signo = "-" if x < 0 and any(c != "0" for c in ent + frac) else ""
    return signo + _agrupar(ent) + (coma + frac if frac else "")


def nota(valor: float | None, maxima: float | None = None) -> str:
    """Una nota: ``8.5`` → ``'8,5'``, ``8.125`` → ``'8,125'`` (hasta 4 decimales, sin ceros de
    más: las reglas de redondeo admiten hasta 4); con ``maxima``: ``'8,5/10'``."""
    if valor is None:
        return ""
    x = float(valor)
    if -999.99995 < x < 999.99995:
        t = f"{x:.4f}".rstrip("0").rstrip(".")
        texto = (t if t != "-0" else "0").replace(".", _COMA or _simbolos()[0])
    else:
        texto = numero(x, 4)
    return f"{texto}/{nota(maxima)}" if maxima is not None else texto


def porcentaje(valor: float | None, decimales: int = 1) -> str:
    """Un porcentaje dado de 0 a 100: ``12.5`` → ``'12,5 %'``; ``100`` → ``'100 %'``."""
    if valor is None:
        return ""
    return f"{numero(valor, decimales)} %"


def duracion(segundos: float | None) -> str:
    """``0.94`` → ``'0,9 s'``; ``75`` → ``'1 min 15 s'``; ``3725`` → ``'1 h 2 min'``."""
    if segundos is None:
        return ""
    s = float(segundos)
    if s < 10:
        return f"{numero(s, 1 if s >= 0.1 else 2)} s"
    if s < 60:
        return f"{entero(round(s))} s"
    total = int(round(s))
    h, resto = divmod(total, 3600)
    m, seg = divmod(resto, 60)
    if h:
        return f"{h} h {m} min" if m else f"{h} h"
    return f"{m} min {seg} s" if seg else f"{m} min"


def tamano(bytes_: int | float | None) -> str:
    """Un tamaño en bytes: ``16384`` → ``'16,0 kB'``; ``123`` → ``'123 B'``."""
    if bytes_ is None:
        return ""
    b = float(bytes_)
    if b < 1024:
        return f"{entero(b)} B"
    for unidad in ("kB", "MB", "GB", "TB"):
        b /= 1024
        if b < 1024 or unidad == "TB":
            return f"{numero(b, 1, recortar=False)} {unidad}"
    raise AssertionError  # pragma: no cover


# --- Fechas -----------------------------------------------------------------------------------
def fecha(valor: date | datetime | None) -> str:
    """``date(2026, 7, 9)`` → ``'09/07/2026'``."""
    if valor is None:
        return ""
    if isinstance(valor, datetime):
        valor = valor.date()
    return f"{valor.day:02d}/{valor.month:02d}/{valor.year:04d}"


def fecha_corta(valor: date | datetime) -> str:
    """``date(2026, 7, 9)`` → ``'9/7/2026'`` (en frases: "9/7/2026 es feriado")."""
    if isinstance(valor, datetime):
        valor = valor.date()
    return f"{valor.day}/{valor.month}/{valor.year}"


def fecha_hora(valor: datetime | date | None, segundos: bool = False) -> str:
    """``datetime(2026, 7, 9, 14, 5)`` → ``'09/07/2026 14:05'``; medianoche exacta → solo la fecha."""
    if valor is None:
        return ""
    if not isinstance(valor, datetime):
        return fecha(valor)
    if valor.hour == valor.minute == valor.second == valor.microsecond == 0:
        return fecha(valor)
    hora = f"{valor.hour:02d}:{valor.minute:02d}" + (f":{valor.second:02d}" if segundos else "")
    return f"{fecha(valor)} {hora}"


def dia_semana(valor: date) -> str:
    """``'jueves'``."""
    return _DIAS[valor.weekday()]


def nombre_mes(mes: int, anio: int | None = None) -> str:
    """``nombre_mes(7)`` → ``'julio'``; con año: ``'julio de 2026'``."""
    texto = _MESES[mes - 1]
    return f"{texto} de {anio}" if anio is not None else texto


def si_no(valor: bool | None) -> str:
    if valor is None:
        return ""
    return "sí" if valor else "no"


# --- Plurales ---------------------------------------------------------------------------------
_IRREGULARES = {"útil": "útiles"}


def pluralizar(palabra: str) -> str:
    """La forma plural de una palabra española común (``creado`` → ``creados``,
    ``lección`` → ``lecciones``, ``actividad`` → ``actividades``, ``vez`` → ``veces``).

    Para frases de varias palabras se pluraliza cada una que no sea una preposición
    (``nota leída`` → ``notas leídas``).
    """
    if " " in palabra:
        no = {"de", "del", "a", "en", "sin", "con", "por", "para", "y", "o", "la", "el", "los", "las"}
        return " ".join(p if p in no else pluralizar(p) for p in palabra.split(" "))
    if not palabra:
        return palabra
    if palabra in _IRREGULARES:
        return _IRREGULARES[palabra]
    fin = palabra[-1]
    if fin in "aeiouáéó":
        return palabra + "s"
    if fin == "z":
        return palabra[:-1] + "ces"
    if fin in "sx" and len(palabra) > 1 and palabra[-2] not in "áéíóú":
        return palabra  # la crisis, las crisis; el lunes, los lunes
    # Agudas terminadas en -ón, -án, -én, -ín, -ún, -és pierden la tilde: lección → lecciones.
    sin_tilde = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u"}
    if len(palabra) >= 2 and palabra[-2] in sin_tilde and fin in "nsl":
        return palabra[:-2] + sin_tilde[palabra[-2]] + fin + "es"
    return palabra + "es"


def plural(n: int, singular: str, plural_: str | None = None, mostrar_numero: bool = True) -> str:
    """``plural(1, 'creado')`` → ``'1 creado'``; ``plural(4, 'creado')`` → ``'4 creados'``;
    ``plural(2, 'nota leída')`` → ``'2 notas leídas'``. Nunca ``'(s)'``."""
    palabra = singular if n == 1 else (plural_ or pluralizar(singular))
    return f"{entero(n)} {palabra}" if mostrar_numero else palabra


def enumerar(items: list[str], conjuncion: str = "y") -> str:
    """``['a', 'b', 'c']`` → ``'a, b y c'``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjuncion} {items[-1]}"


# --- Acentos y orden alfabético -----------------------------------------------------------------
#: La tabla de plegado que comparten Python y SQL (``translate`` de PostgreSQL, la función
#: registrada de SQLite): cada carácter de ``CON_ACENTO`` pasa al de igual posición en
#: ``SIN_ACENTO``. ``º`` y ``ª`` (ordinales: "Nº 42", "1ª") pasan a ``o`` y ``a``.
CON_ACENTO = "áàâäãåéèêëíìîïóòôöõúùûüñçýÿÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝºª"
SIN_ACENTO = "aaaaaaeeeeiiiiooooouuuuncyyAAAAAAEEEEIIIIOOOOOUUUUNCYoa"
assert len(CON_ACENTO) == len(SIN_ACENTO)
_TABLA = str.maketrans(CON_ACENTO, SIN_ACENTO)


def sin_acentos(texto: str) -> str:
    """``'Ñandú Nº 1'`` → ``'nandu no 1'``: minúsculas, sin tildes ni diéresis.

    Da lo mismo que la versión SQL (``dialecto.sin_acentos``) para el texto en NFC y, además,
    pliega el texto en NFD (escrito en macOS o por otra aplicación).
    """
    t = unicodedata.normalize("NFC", texto).translate(_TABLA)
    if not t.isascii():
        t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
    return t.lower()


def nfc(texto: str) -> str:
    """El texto en la forma normal NFC (la que se guarda y se compara)."""
    return unicodedata.normalize("NFC", texto)


_ENIE = str.maketrans({"ñ": "n\x7f", "Ñ": "n\x7f"})


def clave_orden(texto: str | None) -> tuple[str, str]:
    """Clave del orden alfabético español: sin distinguir acentos ni mayúsculas, con la ñ
    entre la n y la o (Álvarez, Benítez, Fernández, Gómez, González, Muñoz, Núñez, Pérez).

    Empates (``Pérez``/``Perez``) se deshacen por el texto en NFC, para un orden estable.
    """
    if texto is None:
        return ("", "")
    if texto.isascii():  # camino rápido (la mayoría de los apellidos, los emails)
        return (texto.lower(), texto)
    t = unicodedata.normalize("NFC", texto)
    primaria = sin_acentos(t.translate(_ENIE))
    return (primaria, t)


def comparar(a: str, b: str) -> int:
    """-1, 0 o 1 según el orden alfabético español (la colación ``es`` de SQLite)."""
    ka, kb = clave_orden(a), clave_orden(b)
    return (ka > kb) - (ka < kb)
