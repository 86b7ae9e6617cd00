"""Pruebas de amauta_cli.seguridad: validación, hash bcrypt y contraseñas generadas."""

from __future__ import annotations

import string
import threading
import time

import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amauta_cli import seguridad
from amauta_cli.errores import DatosInvalidos
from amauta_cli.seguridad import (
    COSTO_BCRYPT,
    es_inutilizable,
    generar_password,
    hashear,
    hashear_muchos,
    password_inutilizable,
    validar_password,
    verificar,
)


# --- validación -------------------------------------------------------------------------


@pytest.mark.parametrize("pw", ["12345678", "a" * 72, "ñ" * 36, "contraseña segura"])
def test_validar_password_acepta(pw: str) -> None:
    assert validar_password(pw) == pw


def test_validar_password_vacia() -> None:
    with pytest.raises(DatosInvalidos, match="no puede estar vacía"):
        validar_password("")


def test_validar_password_corta() -> None:
    with pytest.raises(DatosInvalidos, match="al menos 8 caracteres"):
        validar_password("1234567")


@pytest.mark.rapida
@pytest.mark.parametrize(("pw", "nbytes"), [("a" * 73, 73), ("ñ" * 37, 74), ("é" * 30 + "x" * 13, 73)])
def test_validar_password_supera_72_bytes(pw: str, nbytes: int) -> None:
    with pytest.raises(DatosInvalidos) as e:
        validar_password(pw)
    assert f"ocupa {nbytes} bytes" in e.value.mensaje
    assert "72 bytes" in e.value.mensaje


# --- hash y verificación --------------------------------------------------------------


def test_hashear_y_verificar() -> None:
    h = hashear("contraseña-1")
    assert COSTO_BCRYPT == 10
    assert h.startswith("$2b$10$") and len(h) == 60
    assert verificar("contraseña-1", h)
    assert not verificar("contraseña-2", h)
    assert not verificar("", h)


def test_hashear_usa_sal_propia() -> None:
    a, b = hashear("misma-clave"), hashear("misma-clave")
    assert a != b
    assert verificar("misma-clave", a) and verificar("misma-clave", b)


def test_hashear_rechaza_mas_de_72_bytes() -> None:
    with pytest.raises(DatosInvalidos, match="72 bytes"):
        hashear("x" * 73)


@pytest.mark.parametrize(
    "hash_guardado", [None, "", "abc", "$2b$10$corto", "!" + "a" * 40, "pbkdf2_sha256$1$a$b", "$2b$10$" + "ñ" * 53]
)
def test_verificar_hash_invalido_da_false(hash_guardado: str | None) -> None:
    assert verificar("cualquier-clave", hash_guardado) is False


def test_verificar_no_falla_con_password_larga() -> None:
    h = hashear("a" * 72)
    assert verificar("a" * 72, h)
    # Como bcryptjs o bcrypt < 5: lo que pasa de 72 bytes no cuenta.
    assert verificar("a" * 80, h) is True
    assert verificar("b" * 80, h) is False


def test_verificar_reconoce_hashes_2a_y_2y() -> None:
    h = bcrypt.hashpw(b"clave-vieja", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()
    assert h.startswith("$2a$")
    assert verificar("clave-vieja", h)
    assert verificar("clave-vieja", "$2y$" + h[4:])


# --- en paralelo ----------------------------------------------------------------------


def test_hashear_muchos_conserva_el_orden_e_informa_progreso() -> None:
    claves = [f"clave-número-{i}" for i in range(5)]
    avances: list[int] = []
    hashes = hashear_muchos(claves, progreso=avances.append)
    assert len(hashes) == 5 and len(set(hashes)) == 5
    assert all(h.startswith("$2b$10$") for h in hashes)
    assert all(verificar(c, h) for c, h in zip(claves, hashes))
    assert not verificar(claves[0], hashes[1])
    assert avances == [1, 2, 3, 4, 5]


def test_hashear_muchos_vacio() -> None:
    assert hashear_muchos([], progreso=lambda n: pytest.fail("no debería llamarse")) == []


def test_hashear_muchos_valida_antes_de_empezar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bcrypt, "hashpw", lambda *a: pytest.fail("no debería hashear"))
    with pytest.raises(DatosInvalidos, match="72 bytes"):
        hashear_muchos(["buena-clave", "x" * 100])


def test_hashear_muchos_usa_varios_hilos(monkeypatch: pytest.MonkeyPatch) -> None:
    """Con N núcleos corren N hashes a la vez (bcrypt libera el GIL)."""
    monkeypatch.setattr(seguridad.os, "cpu_count", lambda: 4)
    original = bcrypt.hashpw
    en_curso, maximo = 0, 0
    candado = threading.Lock()

    def hashpw_lento(pw: bytes, sal: bytes) -> bytes:
        nonlocal en_curso, maximo
        with candado:
            en_curso += 1
            maximo = max(maximo, en_curso)
        time.sleep(0.05)
        with candado:
            en_curso -= 1
        return original(pw, sal)

    monkeypatch.setattr(bcrypt, "hashpw", hashpw_lento)
    hashear_muchos([f"clave-{i}-abc" for i in range(8)])
    assert maximo == 4


# --- contraseñas inutilizables y generadas --------------------------------------------


def test_password_inutilizable() -> None:
    marca = password_inutilizable()
    assert marca.startswith("!") and len(marca) == 41
    assert set(marca[1:]) <= set(string.ascii_letters + string.digits + "-_")
    assert marca != password_inutilizable()
    assert es_inutilizable(marca) and es_inutilizable("") and es_inutilizable(None)
    assert not es_inutilizable(hashear("una-clave-cualquiera"))
    assert not verificar(marca, marca)


@settings(max_examples=200)
@given(st.integers(8, 72))
def test_generar_password(longitud: int) -> None:
    pw = generar_password(longitud)
    assert len(pw) == longitud
    assert any(c.isupper() for c in pw) and any(c.islower() for c in pw) and any(c.isdigit() for c in pw)
    assert any(not c.isalnum() for c in pw)
    assert not set(pw) & set("0Oo1lI|'\"`\\,; ")
    assert validar_password(pw) == pw


def test_generar_password_por_defecto_y_al_azar() -> None:
    claves = {generar_password() for _ in range(50)}
    assert len(claves) == 50
    assert all(len(c) == 16 for c in claves)


@pytest.mark.parametrize("longitud", [0, 7, 73])
def test_generar_password_longitud_invalida(longitud: int) -> None:
    with pytest.raises(DatosInvalidos, match="longitud: debe estar entre 8 y 72"):
        generar_password(longitud)


def test_passwords_inutilizables_de_a_muchas():
    """Las marcas de una importación masiva son como las de a una: inutilizables, del mismo
    largo y distintas entre sí."""
    from amauta_cli.seguridad import es_inutilizable, password_inutilizable, passwords_inutilizables

    marcas = passwords_inutilizables(5_000)
    assert len(set(marcas)) == 5_000
    assert all(es_inutilizable(m) and len(m) == len(password_inutilizable()) for m in marcas)
    assert passwords_inutilizables(0) == []
