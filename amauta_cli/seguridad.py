"""Contraseñas: validación, hash bcrypt (costo 10) y contraseñas generadas.

bcrypt sólo mira los primeros 72 bytes de la contraseña; en vez de truncar en
silencio, ``validar_password`` y ``hashear`` rechazan las más largas.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

import bcrypt

from amauta_cli.errores import DatosInvalidos

__all__ = [
    "COSTO_BCRYPT",
    "LARGO_MINIMO",
    "LIMITE_BYTES",
    "es_inutilizable",
    "generar_password",
    "hashear",
    "hashear_muchos",
    "password_inutilizable",
    "passwords_inutilizables",
    "validar_password",
    "verificar",
]

COSTO_BCRYPT = 10
LARGO_MINIMO = 8
LIMITE_BYTES = 72
PREFIJO_INUTILIZABLE = "!"

# Sin caracteres que se confunden al leerlos (0/O/o, 1/l/I) ni que molestan en
# un CSV o en la terminal (comillas, coma, punto y coma, barra invertida, espacio).
_MAYUSCULAS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_MINUSCULAS = "abcdefghijkmnpqrstuvwxyz"
_DIGITOS = "23456789"
_SIMBOLOS = "@#%+=-_"
_CLASES = (_MAYUSCULAS, _MINUSCULAS, _DIGITOS, _SIMBOLOS)


def _validar_limite(pw: str) -> bytes:
    """Devuelve ``pw`` en UTF-8 si entra en el límite de bcrypt."""
    if not pw:
        raise DatosInvalidos("la contraseña no puede estar vacía")
    datos = pw.encode("utf-8")
    if len(datos) > LIMITE_BYTES:
        raise DatosInvalidos(
            f"la contraseña ocupa {len(datos)} bytes y el máximo es {LIMITE_BYTES} bytes en UTF-8 "
            "(límite de bcrypt; las letras con tilde y la ñ ocupan 2 bytes)"
        )
    return datos


def validar_password(pw: str) -> str:
    """Exige una contraseña no vacía, de al menos 8 caracteres y hasta 72 bytes UTF-8."""
    _validar_limite(pw)
    if len(pw) < LARGO_MINIMO:
        raise DatosInvalidos(
            f"la contraseña debe tener al menos {LARGO_MINIMO} caracteres (tiene {len(pw)})"
        )
    return pw


def hashear(pw: str) -> str:
    """Hash bcrypt ``$2b$10$...`` con sal propia.

    Sólo controla el límite de bcrypt (no vacía, hasta 72 bytes); la política de
    largo mínimo es de ``validar_password``.
    """
    datos = _validar_limite(pw)
    return bcrypt.hashpw(datos, bcrypt.gensalt(rounds=COSTO_BCRYPT)).decode("ascii")


def verificar(pw: str, hash_guardado: str | None) -> bool:
    """``True`` si ``pw`` corresponde al hash; ``False`` si no, o si el hash no sirve (nunca lanza)."""
    if not pw or hash_guardado is None or es_inutilizable(hash_guardado):
        return False
    try:
        # Otras implementaciones (bcrypt de Node, bcryptjs, bcrypt < 5 de Python) truncan
        # a 72 bytes al hashear: se trunca igual para reconocer sus hashes.
        return bcrypt.checkpw(pw.encode("utf-8")[:LIMITE_BYTES], hash_guardado.encode("ascii"))
    except (ValueError, TypeError, UnicodeError):
        return False


def hashear_muchos(passwords: Sequence[str], progreso: Callable[[int], None] | None = None) -> list[str]:
    """Hashea en paralelo en todos los núcleos, conservando el orden.

    bcrypt libera el GIL, así que alcanza con hilos. ``progreso`` se llama desde el
    hilo que invoca con la cantidad de hashes terminados hasta el momento. Valida
    todas las contraseñas antes de empezar.
    """
    datos = [_validar_limite(pw) for pw in passwords]
    if not datos:
        return []
    hilos = min(os.cpu_count() or 1, len(datos))
    with ThreadPoolExecutor(max_workers=hilos, thread_name_prefix="bcrypt") as pool:
        futuros = [pool.submit(bcrypt.hashpw, d, bcrypt.gensalt(rounds=COSTO_BCRYPT)) for d in datos]
        if progreso is not None:
            for hechos, _ in enumerate(as_completed(futuros), start=1):
                progreso(hechos)
        return [f.result().decode("ascii") for f in futuros]


def password_inutilizable() -> str:
    """Marca de contraseña inutilizable, como Django/Open edX: ``!`` y 40 caracteres al azar."""
    return PREFIJO_INUTILIZABLE + secrets.token_urlsafe(30)


def passwords_inutilizables(n: int) -> list[str]:
    """``n`` marcas de ``password_inutilizable`` de una vez (un solo ``os.urandom``: en una
    importación de 10.000 usuarios, ~10 ms en lugar de ~200 ms)."""
    import base64

    # 30 bytes son exactamente 40 caracteres base64 (sin relleno), como token_urlsafe(30).
    texto = base64.urlsafe_b64encode(secrets.token_bytes(30 * n)).decode("ascii")
    return [PREFIJO_INUTILIZABLE + texto[40 * i : 40 * i + 40] for i in range(n)]


def es_inutilizable(hash_guardado: str | None) -> bool:
    """``True`` para la marca de ``password_inutilizable`` o un hash vacío."""
    return not hash_guardado or hash_guardado.startswith(PREFIJO_INUTILIZABLE)


def generar_password(longitud: int = 16) -> str:
    """Contraseña al azar (``secrets``) con mayúscula, minúscula, dígito y símbolo.

    Evita caracteres ambiguos (0/O, 1/l/I) y los que molestan en un CSV o una terminal.
    """
    if not LARGO_MINIMO <= longitud <= LIMITE_BYTES:
        raise DatosInvalidos(
            f"longitud: debe estar entre {LARGO_MINIMO} y {LIMITE_BYTES} (se pidió {longitud})"
        )
    azar = secrets.SystemRandom()
    todos = "".join(_CLASES)
    caracteres = [azar.choice(clase) for clase in _CLASES]
    caracteres += [azar.choice(todos) for _ in range(longitud - len(caracteres))]
    azar.shuffle(caracteres)
    return "".join(caracteres)


#: Iteraciones de PBKDF2 del verificador SCRAM (las de PostgreSQL por defecto).
ITERACIONES_SCRAM = 4096


def verificador_scram(pw: str, sal: bytes | None = None, iteraciones: int = ITERACIONES_SCRAM) -> str:
    """El verificador ``SCRAM-SHA-256$<iter>:<sal>$<StoredKey>:<ServerKey>`` de PostgreSQL.

    ``CREATE ROLE ... PASSWORD '<verificador>'`` guarda la contraseña sin que el texto claro
    llegue nunca al servidor (ni a sus registros, si registran las sentencias DDL). La
    contraseña se normaliza como lo hace SASLprep para los casos comunes (NFKC y espacios
    no ASCII como espacio), igual que libpq al conectarse.
    """
    import base64
    import hashlib
    import hmac
    import unicodedata

    normalizada = unicodedata.normalize(
        "NFKC", "".join(" " if c.isspace() and c not in "\t\n\r" and ord(c) > 127 else c for c in pw)
    )
    sal = sal if sal is not None else secrets.token_bytes(16)
    salada = hashlib.pbkdf2_hmac("sha256", normalizada.encode("utf-8"), sal, iteraciones)
    clave_cliente = hmac.new(salada, b"Client Key", "sha256").digest()
    guardada = hashlib.sha256(clave_cliente).digest()
    servidor = hmac.new(salada, b"Server Key", "sha256").digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iteraciones}:{b64(sal)}${b64(guardada)}:{b64(servidor)}"
