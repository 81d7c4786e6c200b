# Puts the bundled model into OUT/models/<name>/ and builds the demo index in
# OUT/index/ with the native tool: `clipsearch demo-data` (a seed the model
# was not trained on) + `clipsearch index`. The index is rebuilt only when the
# model, the tool, the count or the seed changed.
#
# cmake -DCLI=<clipsearch> -DMODEL_DIR=<repo>/models/demo -DOUT=<build>/web
#       -DWORK=<build>/web-demo -DCOUNT=1000 -DSEED=1000 -DSHARD_SIZE=256 -P assemble_demo.cmake

foreach(var CLI MODEL_DIR OUT WORK COUNT SEED SHARD_SIZE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "assemble_demo.cmake: -D${var}= is required")
  endif()
endforeach()
if(NOT EXISTS "${MODEL_DIR}/model.json")
  message(FATAL_ERROR "${MODEL_DIR}/model.json not found: the page needs the bundled demo model (models/README.md says how it is trained)")
endif()

# The model: model.json and exactly the files it lists.
file(READ "${MODEL_DIR}/model.json" manifest)
string(JSON name GET "${manifest}" name)
set(files model.json)
foreach(encoder text vision)
  string(JSON n LENGTH "${manifest}" ${encoder} variants)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON precision MEMBER "${manifest}" ${encoder} variants ${i})
    string(JSON path GET "${manifest}" ${encoder} variants ${precision} path)
    list(APPEND files "${path}")
  endforeach()
endforeach()
string(JSON n LENGTH "${manifest}" tokenizer files)
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON kind TYPE "${manifest}" tokenizer files ${i})
  if(kind STREQUAL "STRING")
    string(JSON path GET "${manifest}" tokenizer files ${i})
  else()
    string(JSON path GET "${manifest}" tokenizer files ${i} path)
  endif()
  list(APPEND files "${path}")
endforeach()
# More text towers (one per language), each with its graphs and tokenizer.
string(JSON towers ERROR_VARIABLE no_towers LENGTH "${manifest}" text_towers)
if(NOT no_towers AND towers GREATER 0)
  math(EXPR last_tower "${towers} - 1")
  foreach(t RANGE ${last_tower})
    string(JSON n LENGTH "${manifest}" text_towers ${t} variants)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON precision MEMBER "${manifest}" text_towers ${t} variants ${i})
      string(JSON path GET "${manifest}" text_towers ${t} variants ${precision} path)
      list(APPEND files "${path}")
    endforeach()
    string(JSON n LENGTH "${manifest}" text_towers ${t} tokenizer files)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON path GET "${manifest}" text_towers ${t} tokenizer files ${i} path)
      list(APPEND files "${path}")
    endforeach()
  endforeach()
endif()
set(model_out "${OUT}/models/${name}")
# A model bundled by an earlier build under another name is no longer part of
# the site.
file(GLOB bundled LIST_DIRECTORIES true "${OUT}/models/*")
list(REMOVE_ITEM bundled "${model_out}" "${OUT}/models/served.json")
if(bundled)
  file(REMOVE_RECURSE ${bundled})
endif()
foreach(f ${files})
  get_filename_component(dir "${model_out}/${f}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${MODEL_DIR}/${f}" "${model_out}/${f}" ONLY_IF_DIFFERENT)
endforeach()
# What the site serves, by fingerprint: the page falls back to a model listed
# here when the one an index names cannot be reached (docs/WEB.md).
string(JSON fingerprint GET "${manifest}" fingerprint)
file(CONFIGURE OUTPUT "${OUT}/models/served.json" CONTENT
  "{\"models\": [{\"name\": \"${name}\", \"fingerprint\": \"${fingerprint}\", \"path\": \"${name}/\"}]}\n")

# The demo index.
file(SHA256 "${MODEL_DIR}/model.json" model_sha)
file(SHA256 "${CLI}" cli_sha)
set(key "model=${model_sha} cli=${cli_sha} count=${COUNT} seed=${SEED} shard_size=${SHARD_SIZE}")
set(index "${OUT}/index")
set(key_file "${WORK}/index.key")
if(EXISTS "${key_file}" AND EXISTS "${index}/manifest.json")
  file(READ "${key_file}" old_key)
  if(old_key STREQUAL key)
    message(STATUS "web: demo index up to date (${COUNT} images, seed ${SEED})")
    return()
  endif()
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "web: `${cmd}` failed (${rc})")
  endif()
endfunction()

message(STATUS "web: building the demo index (${COUNT} images, seed ${SEED}) with model ${name}")
file(REMOVE_RECURSE "${WORK}/data" "${index}")
run("${CLI}" demo-data --out "${WORK}/data" --count ${COUNT} --seed ${SEED})
# Several shards even for the small demo, so the page shows (and the tests
# exercise) an index that becomes searchable shard by shard.
run("${CLI}" index --model "${model_out}" --input "${WORK}/data/captions.jsonl" --out "${index}"
    --shard-size ${SHARD_SIZE} --force)
# Each result links to its original: captions.jsonl names "images/NNNNNN.png"
# relative to itself, and the page resolves relative sources against the
# index folder, so the originals go there.
file(COPY "${WORK}/data/images" DESTINATION "${index}")
file(COPY_FILE "${WORK}/data/captions.jsonl" "${index}/captions.jsonl")
# The default labels of the page's "What is this?" (every colour and shape).
file(COPY_FILE "${WORK}/data/labels.txt" "${index}/labels.txt")
file(WRITE "${key_file}" "${key}")
