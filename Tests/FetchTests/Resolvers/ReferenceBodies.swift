/// The example bodies of doi-apis.md, verbatim (their checksums are real for the fixture
/// contents `hello\n` and `a,b\n1,2\n`).
enum ReferenceBodies {
  static let handle = #"""
    {
      "responseCode": 1,
      "handle": "10.5281/zenodo.1234567",
      "values": [
        {
          "index": 1,
          "type": "URL",
          "data": {"format": "string", "value": "https://zenodo.org/doi/10.5281/zenodo.1234567"},
          "ttl": 86400,
          "timestamp": "2024-01-02T03:04:05Z"
        }
      ]
    }
    """#

  static let dataCiteJSON = #"""
    {
      "id": "https://doi.org/10.5281/zenodo.1234567",
      "doi": "10.5281/ZENODO.1234567",
      "url": "https://zenodo.org/doi/10.5281/zenodo.1234567",
      "types": {"resourceTypeGeneral": "Dataset", "resourceType": "", "schemaOrg": "Dataset",
                "citeproc": "dataset", "bibtex": "misc", "ris": "DATA"},
      "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                    "familyName": "Doe", "affiliation": [], "nameIdentifiers": []}],
      "titles": [{"title": "Example dataset"}],
      "publisher": "Zenodo",
      "publicationYear": "2024",
      "relatedIdentifiers": [
        {"relatedIdentifier": "10.5281/zenodo.1234566", "relatedIdentifierType": "DOI",
         "relationType": "IsVersionOf"}
      ],
      "rightsList": [{"rights": "Creative Commons Attribution 4.0 International",
                      "rightsUri": "https://creativecommons.org/licenses/by/4.0/legalcode",
                      "rightsIdentifier": "cc-by-4.0", "rightsIdentifierScheme": "SPDX"}],
      "schemaVersion": "http://datacite.org/schema/kernel-4",
      "providerId": "cern",
      "clientId": "cern.zenodo",
      "agency": "datacite",
      "state": "findable"
    }
    """#

  static let dataCiteREST = #"""
    {
      "data": {
        "id": "10.5281/zenodo.1234567",
        "type": "dois",
        "attributes": {
          "doi": "10.5281/zenodo.1234567",
          "prefix": "10.5281",
          "suffix": "zenodo.1234567",
          "identifiers": [],
          "alternateIdentifiers": [],
          "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                        "familyName": "Doe", "affiliation": [], "nameIdentifiers": []}],
          "titles": [{"title": "Example dataset"}],
          "publisher": "Zenodo",
          "container": {},
          "publicationYear": 2024,
          "subjects": [],
          "contributors": [],
          "dates": [{"date": "2024-01-02", "dateType": "Issued"}],
          "language": null,
          "types": {"ris": "DATA", "bibtex": "misc", "citeproc": "dataset", "schemaOrg": "Dataset",
                    "resourceType": "", "resourceTypeGeneral": "Dataset"},
          "relatedIdentifiers": [
            {"relationType": "IsVersionOf", "relatedIdentifier": "10.5281/zenodo.1234566",
             "relatedIdentifierType": "DOI"}
          ],
          "relatedItems": [],
          "sizes": ["12 bytes"],
          "formats": ["text/csv"],
          "version": "1.0",
          "rightsList": [{"rights": "Creative Commons Attribution 4.0 International",
                          "rightsUri": "https://creativecommons.org/licenses/by/4.0/legalcode",
                          "schemeUri": "https://spdx.org/licenses/",
                          "rightsIdentifier": "cc-by-4.0", "rightsIdentifierScheme": "SPDX"}],
          "descriptions": [],
          "geoLocations": [],
          "fundingReferences": [],
          "url": "https://zenodo.org/doi/10.5281/zenodo.1234567",
          "contentUrl": null,
          "metadataVersion": 2,
          "schemaVersion": "http://datacite.org/schema/kernel-4",
          "source": "api",
          "isActive": true,
          "state": "findable",
          "reason": null,
          "created": "2024-01-02T00:00:00.000Z",
          "registered": "2024-01-02T00:00:01.000Z",
          "published": "2024",
          "updated": "2024-01-03T00:00:00.000Z"
        },
        "relationships": {
          "client": {"data": {"id": "example.repo", "type": "clients"}},
          "provider": {"data": {"id": "example", "type": "providers"}},
          "media": {"data": {"id": "10.5281/zenodo.1234567", "type": "media"}},
          "references": {"data": []},
          "citations": {"data": []},
          "parts": {"data": []},
          "partOf": {"data": []},
          "versions": {"data": []},
          "versionOf": {"data": []}
        }
      }
    }
    """#

  static let zenodoA = #"""
    {
      "created": "2024-01-02T10:00:00.000000+00:00",
      "modified": "2024-01-03T10:00:00.000000+00:00",
      "id": 1234567,
      "conceptrecid": "1234566",
      "doi": "10.5281/zenodo.1234567",
      "conceptdoi": "10.5281/zenodo.1234566",
      "doi_url": "https://doi.org/10.5281/zenodo.1234567",
      "metadata": {
        "title": "Example dataset",
        "doi": "10.5281/zenodo.1234567",
        "publication_date": "2024-01-02",
        "resource_type": {"title": "Dataset", "type": "dataset"},
        "license": {"id": "cc-by-4.0"},
        "relations": {"version": [{"index": 0, "is_last": true,
                                   "parent": {"pid_type": "recid", "pid_value": "1234566"}}]}
      },
      "title": "Example dataset",
      "links": {
        "self": "https://zenodo.org/api/records/1234567",
        "self_html": "https://zenodo.org/records/1234567",
        "doi": "https://doi.org/10.5281/zenodo.1234567",
        "self_doi_html": "https://zenodo.org/doi/10.5281/zenodo.1234567",
        "parent": "https://zenodo.org/api/records/1234566",
        "parent_doi": "https://doi.org/10.5281/zenodo.1234566",
        "files": "https://zenodo.org/api/records/1234567/files",
        "archive": "https://zenodo.org/api/records/1234567/files-archive",
        "latest": "https://zenodo.org/api/records/1234567/versions/latest",
        "versions": "https://zenodo.org/api/records/1234567/versions"
      },
      "updated": "2024-01-03T10:00:00.000000+00:00",
      "recid": "1234567",
      "revision": 4,
      "files": [
        {
          "id": "0b6a3c2e-1f0e-4d7c-9a55-000000000001",
          "key": "hello.txt",
          "size": 6,
          "checksum": "md5:b1946ac92492d2347c6235b4d2611184",
          "links": {"self": "https://zenodo.org/api/records/1234567/files/hello.txt/content"}
        },
        {
          "id": "0b6a3c2e-1f0e-4d7c-9a55-000000000002",
          "key": "tables/a b.csv",
          "size": 8,
          "checksum": "md5:e5ebd4c02cefbe7955977c67ada242b7",
          "links": {"self": "https://zenodo.org/api/records/1234567/files/tables/a%20b.csv/content"}
        }
      ],
      "swh": {},
      "owners": [{"id": 1}],
      "status": "published",
      "stats": {"downloads": 0, "unique_downloads": 0, "views": 0, "unique_views": 0, "volume": 0,
                "version_downloads": 0, "version_unique_downloads": 0, "version_unique_views": 0,
                "version_views": 0, "version_volume": 0},
      "state": "done",
      "submitted": true
    }
    """#

  static let zenodoB = #"""
    {
      "enabled": true,
      "default_preview": null,
      "order": [],
      "entries": [
        {
          "key": "tables/a b.csv",
          "created": "2024-01-02T10:00:00.000000+00:00",
          "updated": "2024-01-02T10:00:01.000000+00:00",
          "checksum": "md5:e5ebd4c02cefbe7955977c67ada242b7",
          "mimetype": "text/csv",
          "size": 8,
          "status": "completed",
          "metadata": {},
          "file_id": "5f0c1d2e-0000-4000-8000-000000000002",
          "version_id": "6a1b2c3d-0000-4000-8000-000000000002",
          "bucket_id": "7b2c3d4e-0000-4000-8000-000000000000",
          "storage_class": "L",
          "links": {
            "self": "https://zenodo.org/api/records/1234567/files/tables%2Fa%20b.csv",
            "content": "https://zenodo.org/api/records/1234567/files/tables%2Fa%20b.csv/content"
          }
        }
      ],
      "links": {
        "self": "https://zenodo.org/api/records/1234567/files",
        "archive": "https://zenodo.org/api/records/1234567/files-archive"
      }
    }
    """#

  static let zenodoC = #"""
    {"files": [{"id": "0b6a3c2e-1f0e-4d7c-9a55-000000000001", "filename": "hello.txt", "filesize": 6,
                "checksum": "b1946ac92492d2347c6235b4d2611184",
                "links": {"self": "https://zenodo.org/api/records/1234567/files/hello.txt",
                          "download": "https://zenodo.org/api/records/1234567/files/hello.txt/content"}}]}
    """#

  static let figshareSearch = #"""
    [
      {
        "id": 14763051,
        "title": "Example dataset",
        "doi": "10.6084/m9.figshare.14763051.v1",
        "handle": "",
        "url": "https://api.figshare.com/v2/articles/14763051",
        "url_public_html": "https://figshare.com/articles/dataset/Example_dataset/14763051",
        "url_public_api": "https://api.figshare.com/v2/articles/14763051",
        "url_private_html": "https://figshare.com/account/articles/14763051",
        "url_private_api": "https://api.figshare.com/v2/account/articles/14763051",
        "timeline": {"posted": "2021-06-10T12:00:00", "firstOnline": "2021-06-10T12:00:00"},
        "thumb": "",
        "defined_type": 3,
        "defined_type_name": "dataset",
        "resource_doi": null,
        "resource_title": null,
        "created_date": "2021-06-10T12:00:00Z",
        "modified_date": "2021-06-10T12:00:00Z",
        "published_date": "2021-06-10T12:00:00Z",
        "group_id": null
      }
    ]
    """#

  static let figshareFiles = #"""
    [
      {
        "id": 3000002,
        "name": "hello.txt",
        "size": 6,
        "is_link_only": false,
        "download_url": "https://ndownloader.figshare.com/files/3000002",
        "supplied_md5": "b1946ac92492d2347c6235b4d2611184",
        "computed_md5": "b1946ac92492d2347c6235b4d2611184",
        "mimetype": "text/plain"
      }
    ]
    """#

  static let dataverse = #"""
    {
      "status": "OK",
      "data": {
        "id": 24,
        "identifier": "FK2/J8SJZB",
        "persistentUrl": "https://doi.org/10.5072/FK2/J8SJZB",
        "protocol": "doi",
        "authority": "10.5072",
        "separator": "/",
        "publisher": "Demo Dataverse",
        "publicationDate": "2024-01-02",
        "storageIdentifier": "file://10.5072/FK2/J8SJZB",
        "datasetType": "dataset",
        "locks": [],
        "latestVersion": {
          "id": 7,
          "datasetId": 24,
          "datasetPersistentId": "doi:10.5072/FK2/J8SJZB",
          "storageIdentifier": "file://10.5072/FK2/J8SJZB",
          "versionNumber": 1,
          "versionMinorNumber": 0,
          "versionState": "RELEASED",
          "latestVersionPublishingState": "RELEASED",
          "lastUpdateTime": "2024-01-02T10:00:00Z",
          "releaseTime": "2024-01-02T10:00:00Z",
          "createTime": "2024-01-01T10:00:00Z",
          "license": {"name": "CC0 1.0", "uri": "http://creativecommons.org/publicdomain/zero/1.0"},
          "metadataBlocks": {},
          "files": [
            {
              "description": "",
              "label": "hello.txt",
              "restricted": false,
              "directoryLabel": "docs",
              "version": 1,
              "datasetVersionId": 7,
              "dataFile": {
                "id": 42,
                "persistentId": "",
                "filename": "hello.txt",
                "contentType": "text/plain",
                "friendlyType": "Plain Text",
                "filesize": 6,
                "storageIdentifier": "file://18c0ffee0001",
                "rootDataFileId": -1,
                "md5": "b1946ac92492d2347c6235b4d2611184",
                "checksum": {"type": "MD5", "value": "b1946ac92492d2347c6235b4d2611184"},
                "tabularData": false,
                "creationDate": "2024-01-01",
                "publicationDate": "2024-01-02",
                "directoryLabel": "docs",
                "lastUpdateTime": "2024-01-02T10:00:00Z",
                "fileAccessRequest": false
              }
            },
            {
              "label": "table.tab",
              "restricted": false,
              "version": 1,
              "datasetVersionId": 7,
              "dataFile": {
                "id": 43,
                "persistentId": "",
                "filename": "table.tab",
                "contentType": "text/tab-separated-values",
                "filesize": 9,
                "originalFileFormat": "text/csv",
                "originalFormatLabel": "Comma Separated Values",
                "originalFileSize": 8,
                "originalFileName": "table.csv",
                "UNF": "UNF:6:AAAAAAAAAAAAAAAAAAAAAA==",
                "md5": "e5ebd4c02cefbe7955977c67ada242b7",
                "checksum": {"type": "MD5", "value": "e5ebd4c02cefbe7955977c67ada242b7"},
                "tabularData": true
              }
            }
          ]
        }
      }
    }
    """#

  static let cern = #"""
    {
      "id": "5500",
      "created": "2024-01-02T10:00:00.000000+00:00",
      "updated": "2024-01-03T10:00:00.000000+00:00",
      "links": {"self": "https://opendata.cern.ch/api/records/5500"},
      "metadata": {
        "recid": "5500",
        "doi": "10.7483/OPENDATA.CMS.XXXX.YYYY",
        "title": "Example analysis code",
        "availability": "online",
        "files": [
          {
            "uri": "root://eospublic.cern.ch//eos/opendata/cms/software/Example/hello.txt",
            "size": 6,
            "checksum": "adler32:084b021f",
            "key": "hello.txt",
            "bucket": "11111111-2222-3333-4444-555555555555",
            "version_id": "66666666-7777-8888-9999-000000000000",
            "availability": "online"
          }
        ],
        "_file_indices": [
          {
            "key": "Example_file_index.json",
            "description": "Example_file_index.json",
            "number_files": 1,
            "size": 8,
            "availability": {"online": 1},
            "bucket": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "files": [
              {
                "uri": "root://eospublic.cern.ch//eos/opendata/cms/Run2010B/Example/table.csv",
                "size": 8,
                "checksum": "adler32:08780193",
                "key": "Example_file_index.json_0",
                "bucket": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                "version_id": "bbbbbbbb-0000-0000-0000-000000000000",
                "file_id": "cccccccc-0000-0000-0000-000000000000",
                "tags": {},
                "availability": "online"
              }
            ]
          }
        ]
      }
    }
    """#
}
