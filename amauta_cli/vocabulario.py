"""El vocabulario de las planillas: un solo lugar para lo que cada importador entiende.

Lo usan todos los importadores (``usuarios importar``, ``grupos agregar-estudiantes
--archivo``, ``asistencia registrar --archivo``, ``asistencia importar`` y
``calificaciones cargar``) a través de ``csvio``; el README lo lista una vez.

- **Encabezados**: cada columna acepta varios nombres, comparados sin mayúsculas, acentos,
  espacios alrededor ni signos (``Correo electrónico``, `` E-mail ``, ``Obs.``).
- **Estados de asistencia**: la inicial, el nombre y las palabras que usan las escuelas
  (``Falta``, ``Tarde``, ``Llegó tarde``, ``Falta justificada``...).
- **Fechas**: ``2024-03-04``, ``04/03/2024``, ``4/3/24`` (20aa) y ``04-03-2024``
  (``parsing.parsear_fecha``).
- **Celdas de Excel**: el ``'`` que el formato ``excel`` antepone a las celdas que parecen
  fórmulas (``'=HIPERVINCULO(...)``) se quita al leer (``sin_apostrofo``), para que una
  exportación ``excel`` vuelva a importarse sin cambios.

Sin SQLAlchemy ni Rich: se importa en el arranque.
"""

from __future__ import annotations

import re
import unicodedata

from amauta_cli.errores import DatosInvalidos
from amauta_cli.textos import sin_acentos

#: Columna (nombre interno) → nombres aceptados en el encabezado (el primero es el que
#: escribe ``exportar`` en los archivos para scripts).
COLUMNAS: dict[str, tuple[str, ...]] = {
    "email": ("email", "Correo electrónico", "Correo", "E-mail", "Mail", "Email"),
    "matricula": ("matricula", "Matrícula", "Legajo"),
    "fecha": ("fecha", "Fecha", "Día"),
    "estado": ("estado", "Estado", "Asistencia"),
    "nota": ("nota", "Nota", "Calificación"),
    "observaciones": ("observaciones", "Observaciones", "Observación", "Obs."),
    "nombre": ("nombre", "Nombre", "Nombres"),
    "apellido": ("apellido", "Apellido", "Apellidos"),
    "rol": ("rol", "Rol"),
    "grupo": ("grupo", "Grupo"),
    # Solo ``usuarios importar``:
    "password": ("password", "Contraseña", "Clave"),
    "grado": ("grado", "Grado"),
    "ciudad": ("ciudad", "Ciudad", "Localidad"),
    "pais": ("pais", "País"),
    "telefono": ("telefono", "Teléfono"),
    "institucion": ("institucion", "Institución"),
    "bio": ("bio", "Bio", "Biografía"),
    "especialidad": ("especialidad", "Especialidad", "Especialidades"),
    "experiencia": ("experiencia", "Experiencia", "Años de experiencia"),
    "avatar": ("avatar", "Avatar"),
}

#: Estado de asistencia → palabras aceptadas (además del nombre del estado).
ESTADOS_ASISTENCIA: dict[str, tuple[str, ...]] = {
    "PRESENTE": ("P", "Presente"),
    "AUSENTE": ("A", "Ausente", "Falta"),
    "TARDANZA": ("T", "Tardanza", "Tarde", "Llegó tarde"),
    "JUSTIFICADO": ("J", "Justificado", "Justificada", "Falta justificada"),
}

_NO_ALFANUMERICOS = re.compile(r"[^0-9a-z]+")


def clave(texto: str) -> str:
    """La forma de comparar nombres de columna y palabras: sin BOM, mayúsculas, acentos, espacios
    ni signos (``' Correo electrónico '`` → ``'correo_electronico'``; ``'Obs.'`` → ``'obs'``)."""
    t = sin_acentos(unicodedata.normalize("NFC", texto.replace("\ufeff", "")).strip())
    return _NO_ALFANUMERICOS.sub("_", t).strip("_")


def destinos(canonicas: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Para las columnas que un importador entiende: cada nombre aceptado (su ``clave``) → la
    columna. Una columna sin vocabulario se acepta por su propio nombre."""
    resultado: dict[str, str] = {}
    for c in canonicas:
        resultado.setdefault(clave(c), c)
        for nombre in COLUMNAS.get(c, ()):
            resultado.setdefault(clave(nombre), c)
    return resultado


_ESTADOS = {clave(p): e for e, palabras in ESTADOS_ASISTENCIA.items() for p in (e, *palabras)}


def estado_asistencia(texto: str, campo: str = "estado") -> str:
    """``'P'``, ``'falta'``, ``'Llegó tarde'``, ``'Falta justificada'``... → el estado."""
    estado = _ESTADOS.get(clave(str(texto)))
    if estado is None:
        otras = ", ".join(
            p for palabras in ESTADOS_ASISTENCIA.values() for p in palabras[1:] if clave(p) not in map(clave, ESTADOS_ASISTENCIA)
        )
        raise DatosInvalidos(
            f"{campo}: '{str(texto).strip()}' no es un valor válido (PRESENTE, AUSENTE, TARDANZA, "
            f"JUSTIFICADO; o su inicial: P, A, T, J; o {otras})"
        )
    return estado


#: Comienzos de celda que una planilla lee como fórmula; el formato ``excel`` les antepone ``'``.
PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")


def neutralizar(texto: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``: Excel lo muestra como texto. Un texto que ya
    empieza con ``'`` seguido de algo peligroso también recibe uno, para que ``sin_apostrofo``
    lo devuelva exacto."""
    if texto.lstrip("'").startswith(PELIGROSOS):
        return "'" + texto
    return texto


def sin_apostrofo(texto: str) -> str:
    """La inversa de ``neutralizar``: ``'=SUMA(A1)`` → ``=SUMA(A1)``; ``'Tito`` queda igual."""
    if texto.startswith("'") and texto.lstrip("'").startswith(PELIGROSOS):
        return texto[1:]
    return texto
