"""Validadores y conversores de texto compartidos por los comandos.

Cada función recibe el texto tal como lo escribió el usuario (opción de la línea
de comandos, celda de un CSV) y devuelve el valor ya convertido, o lanza
``DatosInvalidos`` con un mensaje que nombra el campo y dice qué se acepta.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from amauta_cli.errores import DatosInvalidos

__all__ = [
    "LIMITES",
    "elegir_enum",
    "normalizar_clave",
    "normalizar_email",
    "parsear_decimal",
    "parsear_fecha",
    "parsear_mes",
    "revisar_texto",
    "sin_acentos",
    "validar_email",
]

_MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)
_FECHA_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_FECHA_AR = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_MES_ISO = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_MES_AR = re.compile(r"(\d{1,2})/(\d{4})", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)", re.ASCII)
_EMAIL = re.compile(r"[^@\s,;<>()\[\]\\\"]+@[^@\s,;<>()\[\]\\\".]+(?:\.[^@\s,;<>()\[\]\\\".]+)+")
_SEPARADORES = re.compile(r"[\s_-]+")


from amauta_cli.textos import sin_acentos  # noqa: E402 - un solo hogar del plegado de acentos


def normalizar_clave(texto: str) -> str:
    """Clave de comparación tolerante: sin acentos, minúsculas, espacios/guiones como ``_``.

    ``' Fecha de Nacimiento '`` y ``'fecha_de_nacimiento'`` dan la misma clave.
    """
    return _SEPARADORES.sub("_", sin_acentos(texto.replace("\ufeff", "")).strip()).strip("_")


def _fecha(anio: int, mes: int, dia: int, texto: str, campo: str) -> date:
    """Arma la fecha o explica por qué no existe."""
    if not 1 <= mes <= 12:
        raise DatosInvalidos(f"{campo}: '{texto}' no es una fecha válida (el mes debe ir de 1 a 12)")
    if anio < 1:
        raise DatosInvalidos(f"{campo}: '{texto}' no es una fecha válida (año fuera de rango)")
    dias = calendar.monthrange(anio, mes)[1]
    if not 1 <= dia <= dias:
        raise DatosInvalidos(
            f"{campo}: '{texto}' no es una fecha válida ({_MESES[mes - 1]} de {anio} tiene {dias} días)"
        )
    return date(anio, mes, dia)


def parsear_fecha(texto: str | date, campo: str = "fecha", hoy: date | None = None) -> date:
    """Convierte ``2024-03-04``, ``04/03/2024`` (o ``4/3/2024``, ``04/03/24`` → 2024,
    ``04-03-2024``), ``hoy`` o ``ayer`` en una fecha.

    ``hoy`` permite fijar el día actual (para pruebas). Acepta también un ``date``
    ya convertido (por ejemplo, leído de YAML).
    """
    if isinstance(texto, datetime):
        return texto.date()
    if isinstance(texto, date):
        return texto
    limpio = str(texto).strip()
    palabra = sin_acentos(limpio)
    if palabra in ("hoy", "ayer"):
        base = hoy or date.today()
        return base if palabra == "hoy" else base - timedelta(days=1)
    if m := _FECHA_ISO.fullmatch(limpio):
        anio, mes, dia = (int(g) for g in m.groups())
        return _fecha(anio, mes, dia, limpio, campo)
    if m := _FECHA_AR.fullmatch(limpio):
        dia, mes, anio = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if len(m.group(4)) == 2:  # 04/03/24: siglo XXI
            anio += 2000
        return _fecha(anio, mes, dia, limpio, campo)
    raise DatosInvalidos(
        f"{campo}: '{limpio}' no es una fecha válida "
        "(use AAAA-MM-DD como 2024-03-04, DD/MM/AAAA como 04/03/2024 (o 04/03/24, 04-03-2024), "
        "'hoy' o 'ayer')"
    )


def parsear_mes(texto: str, campo: str = "mes") -> tuple[date, date]:
    """Convierte ``2024-03`` o ``03/2024`` en el primer y el último día de ese mes."""
    limpio = str(texto).strip()
    if m := _MES_ISO.fullmatch(limpio):
        anio, mes = (int(g) for g in m.groups())
    elif m := _MES_AR.fullmatch(limpio):
        mes, anio = (int(g) for g in m.groups())
    else:
        raise DatosInvalidos(
            f"{campo}: '{limpio}' no es un mes válido (use AAAA-MM como 2024-03, o MM/AAAA como 03/2024)"
        )
    if not 1 <= mes <= 12 or anio < 1:
        raise DatosInvalidos(f"{campo}: '{limpio}' no es un mes válido (el mes debe ir de 1 a 12)")
    return date(anio, mes, 1), date(anio, mes, calendar.monthrange(anio, mes)[1])


def parsear_decimal(texto: str | int | float, campo: str = "nota") -> float:
    """Convierte ``8,5``, ``8.5``, `` 9 `` o ``10,00`` en ``float``; coma o punto decimal.

    Rechaza texto vacío, ``nan``, ``inf``, notación científica y separadores de miles.
    """
    if isinstance(texto, (int, float)) and not isinstance(texto, bool):
        if math.isfinite(texto):
            return float(texto)
        texto = str(texto)
    limpio = str(texto).strip()
    if not _DECIMAL.fullmatch(limpio):
        raise DatosInvalidos(f"{campo}: '{limpio}' no es un número (ejemplos válidos: 8, 8,5 u 8.5)")
    return float(limpio.replace(",", "."))


#: Largo máximo (en caracteres) de los textos que se guardan; el README los documenta. Un
#: email no puede superar 254 (RFC 5321); el resto son límites holgados para lo que escribe una
#: escuela, que frenan un archivo pegado por error en una celda.
LIMITES: dict[str, int] = {
    "email": 254,
    "nombre": 100,
    "apellido": 100,
    "grupo": 100,
    "institucion": 200,
    "materia": 100,
    "periodo": 50,
    "observaciones": 500,
}
#: Caracteres de control que no se guardan (tabulación y saltos de línea sí, donde caben).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def revisar_texto(valor: str, campo: str, limite: str | int | None = None) -> str:
    """El texto tal como se guarda: en NFC (los nombres escritos en macOS llegan descompuestos)
    y sin espacios alrededor. Rechaza, nombrando el campo, los caracteres de control (un NUL
    no se puede guardar en PostgreSQL y en SQLite pasaría sin aviso) y lo que supera el límite
    (``limite``: un número o una clave de ``LIMITES``)."""
    texto = valor.strip()
    if not texto.isascii():
        texto = unicodedata.normalize("NFC", texto)
    if not texto.isprintable() and (m := _CONTROL.search(texto)):
        raise DatosInvalidos(
            f"{campo}: tiene el carácter de control U+{ord(m.group()):04X}, que no puede guardarse como texto"
        )
    maximo = LIMITES.get(limite) if isinstance(limite, str) else limite
    if maximo is not None and len(texto) > maximo:
        raise DatosInvalidos(f"{campo}: tiene {len(texto)} caracteres y el máximo es {maximo}")
    return texto


def normalizar_email(texto: str) -> str:
    """Quita espacios alrededor y pasa a minúsculas."""
    return texto.strip().lower()


def validar_email(texto: str, campo: str = "email") -> str:
    """Normaliza el email y verifica su forma (una ``@``, parte local, dominio con punto)."""
    email = normalizar_email(texto)
    if len(email) > LIMITES["email"]:
        raise DatosInvalidos(
            f"{campo}: tiene {len(email)} caracteres y el máximo de un email es {LIMITES['email']}"
        )
    if not _EMAIL.fullmatch(email):
        raise DatosInvalidos(f"{campo}: '{texto.strip()}' no es un email válido")
    return email


def elegir_enum(texto: str, valores: list[str], campo: str, por_inicial: bool = False) -> str:
    """Devuelve el valor de ``valores`` que coincide con ``texto``.

    La comparación ignora mayúsculas, acentos, espacios alrededor y trata espacios y
    guiones como ``_`` (``'admin escuela'`` → ``ADMIN_ESCUELA``). Con ``por_inicial``,
    una sola letra elige el único valor que empieza con ella (``'p'`` → ``PRESENTE``).
    """
    clave = normalizar_clave(texto)
    for valor in valores:
        if normalizar_clave(valor) == clave:
            return valor
    if por_inicial and len(clave) == 1:
        candidatos = [v for v in valores if normalizar_clave(v).startswith(clave)]
        if len(candidatos) == 1:
            return candidatos[0]
    permitidos = ", ".join(valores)
    if por_inicial:
        iniciales = [normalizar_clave(v)[:1] for v in valores]
        unicas = [i.upper() for i in dict.fromkeys(iniciales) if i and iniciales.count(i) == 1]
        if unicas:
            permitidos += f"; o su inicial: {', '.join(unicas)}"
    raise DatosInvalidos(f"{campo}: '{texto.strip()}' no es un valor válido ({permitidos})")
