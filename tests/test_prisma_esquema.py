"""``amauta db prisma``: el schema.prisma y la migración base 0_init de la última revisión.

Sin Prisma (la suite no lo necesita; ``benchmarks/prisma_real.py`` lo corre de verdad):

- el ``schema.prisma`` se lee con un analizador mínimo y sus nombres de modelos, campos,
  índices (por las convenciones de nombres de Prisma o su ``map:``), relaciones y enums se
  comparan con el catálogo de una base creada por ``amauta db migrate``;
- la ``migration.sql`` se aplica a una base vacía y su catálogo entero (también funciones,
  disparadores e índices que Prisma no expresa) se compara con el de ``amauta db migrate``;
  esa base es una base de amauta al día (``verificar`` limpio, ``migrate`` no hace nada).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from conftest import borrar_bd_pg, crear_bd_pg, invocar, url_pg
from prisma_base import PRISMA_MIGRATIONS, ejecutar_sql, fila_prisma_migrations

solo_pg = pytest.mark.parametrize("motor", ["postgresql"], indirect=True)


# --- Un analizador mínimo de schema.prisma ---------------------------------------------------------
def _bloques(texto: str) -> dict[tuple[str, str], list[str]]:
    bloques, actual, lineas = {}, None, []
    for linea in texto.splitlines():
        s = linea.split("//", 1)[0].strip() if not linea.strip().startswith("///") else ""
        m = re.match(r"^(model|enum)\s+(\w+)\s*\{$", s)
        if m:
            actual, lineas = (m.group(1), m.group(2)), []
        elif s == "}" and actual:
            bloques[actual] = lineas
            actual = None
        elif actual and s:
            lineas.append(s)
    return bloques


def _args(texto: str, clave: str) -> str | None:
    m = re.search(clave + r':\s*(\[[^\]]*\]|"[^"]*"|\w+)', texto)
    return m.group(1).strip('"') if m else None


def _cols(lista: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in lista.strip("[]").split(",") if c.strip())


def leer_schema(texto: str) -> dict:
    """{tabla: {campos, indices: {nombre: (unico, cols, tipo)}, pk, relaciones: [...], inversas}}."""
    bloques = _bloques(texto)
    enums = {n: l for (k, n), l in bloques.items() if k == "enum"}
    modelos_por_nombre = {n: l for (k, n), l in bloques.items() if k == "model"}
    resultado: dict = {"enums": enums, "modelos": {}}
    for nombre, lineas in modelos_por_nombre.items():
        tabla = nombre
        for l in lineas:
            m = re.match(r'^@@map\("([^"]+)"\)', l)
            if m:
                tabla = m.group(1)
        info = {"modelo": nombre, "campos": {}, "indices": {}, "pk": None, "relaciones": [], "inversas": [],
                "ignorado": "@@ignore" in lineas}
        for l in lineas:
            if l.startswith("@@"):
                m = re.match(r"^@@(index|unique|id)\((\[[^\]]*\])(.*)\)$", l)
                if not m:
                    continue
                tipo, cols, resto = m.group(1), _cols(m.group(2)), m.group(3)
                mapa = _args(resto, "map")
                if tipo == "id":
                    info["pk"] = (mapa or f"{tabla}_pkey", cols)
                else:
                    sufijo = "key" if tipo == "unique" else "idx"
                    info["indices"][mapa or f"{tabla}_{'_'.join(cols)}_{sufijo}"] = (
                        tipo == "unique", cols, (_args(resto, "type") or "BTree").lower()
                    )
                continue
            partes = l.split(None, 2)
            campo, tipo = partes[0], partes[1]
            attrs = partes[2] if len(partes) > 2 else ""
            base = tipo.rstrip("?").removesuffix("[]")
            if "@relation(" in attrs and "fields:" in attrs:
                info["relaciones"].append(
                    (campo, base, _cols(_args(attrs, "fields")), _cols(_args(attrs, "references")),
                     _args(attrs, "onDelete") or "Restrict")
                )
                continue
            if base in modelos_por_nombre:
                info["inversas"].append((campo, base, tipo.endswith("[]"), "@ignore" in attrs))
                continue
            columna = _args("x: " + attrs.split("@map(")[1].rstrip(")"), "x") if "@map(" in attrs else campo
            info["campos"][columna] = (campo, tipo, attrs)
            if re.search(r"@id\b", attrs):
                m = re.search(r'@id\(map: "([^"]+)"\)', attrs)
                info["pk"] = (m.group(1) if m else f"{tabla}_pkey", (columna,))
            if re.search(r"@unique\b", attrs):
                m = re.search(r'@unique\(map: "([^"]+)"\)', attrs)
                info["indices"][m.group(1) if m else f"{tabla}_{columna}_key"] = (True, (columna,), "btree")
        resultado["modelos"][tabla] = info
    return resultado


def _catalogo_de(url: str):
    from amauta_cli.db import conexion
    from amauta_cli.services import catalogo

    with conexion(url) as con:
        return catalogo.leer(con)


@pytest.fixture
def exportado(bd, tmp_path):
    r = invocar(bd.url, "db", "prisma", "--salida", str(tmp_path / "prisma"))
    assert r.codigo == 0, r.texto
    carpeta = tmp_path / "prisma"
    return carpeta, (carpeta / "schema.prisma").read_text(encoding="utf-8"), r


@solo_pg
def test_schema_prisma_nombra_lo_mismo_que_las_migraciones(bd, exportado):
    from amauta_cli.models import MODELOS
    from amauta_cli.services.esquema import cabeza

    carpeta, texto, r = exportado
    assert f"revisión {cabeza()}" in r.stderr and "prisma migrate resolve --applied 0_init" in r.stderr
    cat = _catalogo_de(bd.url)
    sch = leer_schema(texto)
    fuente = texto.split("datasource db", 1)[1].split("}", 1)[0].splitlines()
    assert '  provider = "postgresql"' in fuente
    assert not [x for x in fuente if x.strip().startswith("url")]  # Prisma 7: la URL va en prisma.config.ts

    # Cada tabla de la base es un modelo (las propias de amauta, @@ignore), y nada más.
    assert set(sch["modelos"]) == set(cat.tablas)
    for t in MODELOS:
        assert sch["modelos"][t.__tablename__]["modelo"] == t.__name__
        assert not sch["modelos"][t.__tablename__]["ignorado"]
    for propia in ("alembic_version", "_amauta_meta"):
        assert sch["modelos"][propia]["ignorado"]

    tipos = {"text": "String", "integer": "Int", "boolean": "Boolean", "double precision": "Float",
             "timestamp(3) without time zone": "DateTime", "jsonb": "Json", "text[]": "String[]"}
    indices_sin_prisma = set()
    for nombre, t in cat.tablas.items():
        m = sch["modelos"][nombre]
        assert set(m["campos"]) == {c.nombre for c in t.columnas}, nombre
        for c in t.columnas:
            _, tipo, attrs = m["campos"][c.nombre]
            esperado = tipos.get(c.tipo, c.tipo.strip('"'))
            if c.tipo in tipos or c.tipo.strip('"') in cat.enums:
                assert tipo.rstrip("?") == esperado, (nombre, c.nombre, tipo)
                assert tipo.endswith("?") == (not c.no_nula and not tipo.endswith("[]")), (nombre, c.nombre)
            if c.default == "CURRENT_TIMESTAMP":
                assert "@default(now())" in attrs
        assert m["pk"] == (t.primaria.nombre, t.primaria.columnas), nombre
        # Índices: los de Prisma por su nombre; los que Prisma no expresa, comentados.
        for i in t.indices:
            if i.nombre in m["indices"]:
                unico, cols, metodo = m["indices"][i.nombre]
                assert (unico, cols, metodo) == (i.unico, i.columnas, i.metodo), i.nombre
            else:
                indices_sin_prisma.add(i.nombre)
                assert i.definicion in texto, i.nombre
        assert set(m["indices"]) <= {i.nombre for i in t.indices}, nombre
        # Relaciones: una por clave foránea, con sus columnas, su destino y su acción.
        rels = {(cols, refs): (campo, destino, borrar) for campo, destino, cols, refs, borrar in m["relaciones"]}
        assert len(rels) == len(t.foraneas), nombre
        for fk in t.foraneas:
            campo, destino, borrar = rels[(fk.columnas, fk.columnas_destino)]
            assert sch["modelos"][fk.destino]["modelo"] == destino
            assert borrar == {"RESTRICT": "Restrict", "CASCADE": "Cascade"}[fk.al_borrar]
            inversas = [i for i in sch["modelos"][fk.destino]["inversas"] if i[1] == m["modelo"]]
            assert len(inversas) == 1, (fk.nombre, inversas)
            assert inversas[0][3] == (m["ignorado"] and not sch["modelos"][fk.destino]["ignorado"])
    assert indices_sin_prisma == {"idx_curso_busqueda"}
    assert {e: l for e, l in sch["enums"].items()} == cat.enums

    # Los nombres del diseño: relaciones inversas y la relación "Educador".
    usuario = {i[0] for i in sch["modelos"]["Usuario"]["inversas"]}
    assert {"cursosCreados", "inscripciones", "progresos", "perfil", "gruposEducador",
            "gruposEstudiante", "asistencias", "calificaciones", "comunicados"} <= usuario
    assert '@relation("Educador", fields: [educadorId], references: [id])' in texto
    assert "@@unique([grupoId, estudianteId, materia, periodo])" in texto  # migración 0003
    assert "@@index([cursoId, orden])" in texto and "@@index([usuarioId, cursoId])" in texto


def _cuenta(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c:
        return int(c.execute(sql).fetchone()[0])


@solo_pg
def test_la_migracion_base_crea_exactamente_lo_de_db_migrate(bd, exportado):
    carpeta, _, _ = exportado
    sql = (carpeta / "migrations" / "0_init" / "migration.sql").read_text(encoding="utf-8")
    assert (carpeta / "migrations" / "migration_lock.toml").read_text().strip().endswith('provider = "postgresql"')
    nombre = f"amauta_test_{uuid.uuid4().hex[:10]}"
    crear_bd_pg(nombre)
    try:
        url = url_pg(nombre)
        # Lo que hace `prisma migrate deploy` con 0_init: su SQL y su fila de contabilidad.
        ejecutar_sql(url, sql)
        ejecutar_sql(url, PRISMA_MIGRATIONS + fila_prisma_migrations("0_init", sql))
        esperado, real = _catalogo_de(bd.url), _catalogo_de(url)
        from amauta_cli.services.catalogo import diferencias, diferencias_de_permisos

        assert diferencias(real, esperado) == []
        assert diferencias_de_permisos(real, esperado) == []
        assert sorted(real.otros, key=repr) == sorted(esperado.otros, key=repr)
        # El rol de grupo de escuela y sus permisos (0005): una escuela funciona igual en esa base.
        assert "CREATE ROLE \"amauta_escuela\" NOLOGIN" in sql
        assert real.permisos == esperado.permisos
        assert any(p.rol == "amauta_escuela" and p.objeto == "Calificacion" for p in real.permisos)
        assert invocar(url, "db", "verificar").codigo == 0
        # Sin los permisos del rol de escuela, db verificar lo dice (y también la comparación).
        ejecutar_sql(url, 'REVOKE UPDATE ON "Calificacion" FROM amauta_escuela')
        falta = "falta el permiso UPDATE del rol 'amauta_escuela' sobre la tabla \"Calificacion\""
        assert diferencias_de_permisos(_catalogo_de(url), esperado) == [falta]
        r = invocar(url, "db", "verificar")
        assert r.codigo == 1 and "UPDATE" in r.stderr and "Calificacion" in r.stderr, r.texto
        ejecutar_sql(url, 'GRANT UPDATE ON "Calificacion" TO amauta_escuela')
        r = invocar(url, "db", "migrate")
        assert r.codigo == 0 and "ya está al día" in r.stderr, r.texto
        r = invocar(url, "seed")
        assert r.codigo == 0, r.texto
        # El archivo (0006), fuera del esquema de Prisma, también lo crea la migración base.
        r = invocar(url, "db", "archivar", "--hasta", "2025-01-01", "--si")
        assert r.codigo == 0, r.texto
        assert _cuenta(url, "SELECT count(*) FROM pg_policies WHERE schemaname = 'archivo'") == 4
        # Los disparadores de la búsqueda (que Prisma no expresa) funcionan en esa base.
        r = invocar(url, "cursos", "buscar", "geometria", "--formato", "json")
        assert r.codigo == 0 and "geometria-plana" in r.stdout, r.texto
    finally:
        borrar_bd_pg(nombre)


@pytest.mark.rapida
@solo_pg
def test_prisma_6_lleva_la_url_en_el_esquema(bd, tmp_path):
    r = invocar(bd.url, "db", "prisma", "--salida", str(tmp_path), "--prisma", "6")
    assert r.codigo == 0, r.texto
    assert 'url      = env("DATABASE_URL")' in (tmp_path / "schema.prisma").read_text()


@solo_pg
def test_no_sobrescribe_y_rechaza_opciones_malas(bd, tmp_path):
    destino = tmp_path / "p"
    assert invocar(bd.url, "db", "prisma", "--salida", str(destino)).codigo == 0
    (destino / "schema.prisma").write_text("// mío\n")
    r = invocar(bd.url, "db", "prisma", "--salida", str(destino))
    assert r.codigo == 1 and "--sobrescribir" in r.stderr
    assert (destino / "schema.prisma").read_text() == "// mío\n"
    r = invocar(bd.url, "db", "prisma", "--salida", str(destino), "--sobrescribir")
    assert r.codigo == 0 and "model Usuario" in (destino / "schema.prisma").read_text()
    r = invocar(bd.url, "db", "prisma", "--salida", str(tmp_path / "q"), "--prisma", "5")
    assert r.codigo == 1 and "--prisma" in r.stderr and not (tmp_path / "q").exists()
    r = invocar(bd.url, "db", "prisma")
    assert r.codigo == 2 and "--salida" in r.stderr


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_en_sqlite_explica_que_hace_falta_postgresql(bd, tmp_path):
    r = invocar(bd.url, "db", "prisma", "--salida", str(tmp_path / "p"))
    assert r.codigo == 1 and "PostgreSQL" in r.stderr and "Traceback" not in r.texto
    assert not (tmp_path / "p").exists()


@solo_pg
def test_lo_que_agreguen_migraciones_futuras_tambien_se_exporta(bd_vacia):
    """Migraciones futuras (RLS, auditoría, archivo): lo que agreguen sale del catálogo solo."""
    from amauta_cli.services import prisma
    from amauta_cli.services.catalogo import diferencias

    assert invocar(bd_vacia.url, "db", "migrate").codigo == 0
    ejecutar_sql(
        bd_vacia.url,
        """
        CREATE TABLE "_amauta_futura" (
            "id" BIGINT NOT NULL, "tabla" VARCHAR(63) NOT NULL, "usuarioId" TEXT,
            "momento" TIMESTAMP(6) WITH TIME ZONE NOT NULL DEFAULT now(), "datos" JSONB,
            "monto" NUMERIC(10,2) DEFAULT 0, "estados" "EstadoAsistencia"[],
            CONSTRAINT "_amauta_futura_pkey" PRIMARY KEY ("id"),
            CONSTRAINT "_amauta_futura_monto_check" CHECK ("monto" >= 0),
            CONSTRAINT "_amauta_futura_usuarioId_fkey" FOREIGN KEY ("usuarioId")
                REFERENCES "Usuario"("id") ON DELETE SET NULL ON UPDATE CASCADE
        );
        CREATE INDEX "_amauta_futura_reciente_idx" ON "_amauta_futura" ("momento" DESC);
        CREATE INDEX "_amauta_futura_tabla_parcial" ON "_amauta_futura" ("tabla") WHERE "datos" IS NOT NULL;
        CREATE VIEW "amauta_activos" AS SELECT "id", "email" FROM "Usuario" WHERE "activo";
        CREATE FUNCTION amauta_futura_auditar() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO "_amauta_futura" ("id", "tabla") VALUES (1, TG_TABLE_NAME); RETURN NEW; END $$;
        CREATE TRIGGER amauta_futura_auditar_grupo AFTER UPDATE ON "Grupo" FOR EACH ROW EXECUTE FUNCTION amauta_futura_auditar();
        ALTER TABLE "Grupo" ENABLE ROW LEVEL SECURITY;
        CREATE POLICY "grupo_futuro" ON "Grupo" FOR SELECT TO public
            USING ("institucionId" = current_setting('amauta.institucion', true));
        """,
    )
    cat = _catalogo_de(bd_vacia.url)
    exp = prisma.generar(cat, "9999", prisma.pistas_de_los_modelos())
    sch = leer_schema(exp.schema)
    aud = sch["modelos"]["_amauta_futura"]
    assert aud["ignorado"] and aud["modelo"] == "AmautaFutura"
    assert aud["campos"]["monto"][1:] == ("Decimal?", "@default(0) @db.Decimal(10, 2)")
    assert aud["campos"]["momento"][1] == "DateTime"
    assert "@db.Timestamptz(6)" in aud["campos"]["momento"][2]
    assert aud["campos"]["estados"][1] == "EstadoAsistencia[]"
    # ON DELETE SET NULL es lo que Prisma supone para una relación opcional: no se escribe.
    assert "onDelete" not in exp.schema.split("model AmautaFutura", 1)[1].split("}", 1)[0]
    assert '@@index([momento(sort: Desc)], map: "_amauta_futura_reciente_idx")' in exp.schema
    for texto in ("_amauta_futura_tabla_parcial",
                  "_amauta_futura_monto_check", "RLS", "amauta_futura_auditar_grupo", "amauta_activos",
                  "amauta_futura_auditar()"):
        assert texto in exp.schema, texto
    assert "1 restricción" in exp.no_expresable and "1 vista" in exp.no_expresable

    # Y la migración base lo crea todo igual en una base vacía.
    nombre = f"amauta_test_{uuid.uuid4().hex[:10]}"
    crear_bd_pg(nombre)
    try:
        ejecutar_sql(url_pg(nombre), exp.migracion)
        real = _catalogo_de(url_pg(nombre))
        assert diferencias(real, cat) == []
        assert sorted(real.otros, key=repr) == sorted(cat.otros, key=repr)
    finally:
        borrar_bd_pg(nombre)
