# The one global setting: sanitizers apply to every target, dependencies' inline code included.
if(FENCELINE_SANITIZE)
  add_compile_options(-fsanitize=${FENCELINE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${FENCELINE_SANITIZE})
endif()
