DROP TABLE upload_previews;
